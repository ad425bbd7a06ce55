"""Portfolio: every client the coach sees, before coaching and now, for the programme that
funds the coaching (`workspace_coach.audit.portfolio`, the same figures as
`workspace-coach audit portfolio`). Clients that do not share their name appear as "client A"."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from workspace_coach.audit.categories import CATEGORIES
from workspace_coach.audit.portfolio import Portfolio
from workspace_coach.audit.portfolio_report import portfolio_tables, safe_rows
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import lang as current_lang
from workspace_coach.dashboards.i18n import pick, t
from workspace_coach.dashboards.widgets import category, score


def _totals(data: Portfolio) -> None:
    cards = [("portfolio.clients", len(data.clients)), ("portfolio.sessions", data.sessions),
             ("portfolio.items", data.items_completed),
             ("portfolio.critical_fixed", data.fixed("critical")),
             ("portfolio.high_fixed", data.fixed("high"))]
    for column, (key, value) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(t(key), value)


def _chart(data: Portfolio) -> None:
    rows = []
    for client in data.clients:
        for when, values in (("portfolio.before", client.before), ("portfolio.now", client.now)):
            if values.get("overall") is not None:
                rows.append((pick(client.label), t(when), values["overall"]))
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=["client", "when", "value"])
    chart = (alt.Chart(frame).mark_bar()
             .encode(y=alt.Y("client:N", title=t("portfolio.client"), sort=None),
                     yOffset=alt.YOffset("when:N", sort=[t("portfolio.before"),
                                                         t("portfolio.now")]),
                     x=alt.X("value:Q", title=category("overall"),
                             scale=alt.Scale(domain=[0, 100])),
                     color=alt.Color("when:N", title=t("portfolio.when"),
                                     sort=[t("portfolio.before"), t("portfolio.now")]),
                     tooltip=["client:N", "when:N", alt.Tooltip("value:Q", format=".1f")]))
    st.altair_chart(chart, width="stretch")


def _clients_table(data: Portfolio) -> None:
    rows = []
    for c in data.clients:
        change = c.change("overall")
        rows.append((pick(c.label), score(c.before.get("overall")), score(c.now.get("overall")),
                     f"{change:+.1f}" if change is not None else "–", c.sessions,
                     c.items_completed if c.items_completed is not None
                     else t("portfolio.withheld"),
                     c.fixed.get("critical", 0), c.fixed.get("high", 0)))
    columns = [t(k) for k in ("portfolio.client", "portfolio.before", "portfolio.now",
                              "portfolio.change", "portfolio.sessions", "portfolio.items",
                              "portfolio.critical_fixed", "portfolio.high_fixed")]
    st.dataframe(pd.DataFrame(rows, columns=columns).astype(str), hide_index=True,
                 width="stretch")


def _medians(data: Portfolio) -> None:
    st.subheader(t("portfolio.medians"))
    rows = [(category(k), m.clients, score(m.before), score(m.now),
             f"{m.change:+.1f}" if m.change is not None else "–")
            for k in CATEGORIES if (m := data.medians.get(k)) is not None]
    st.dataframe(pd.DataFrame(rows, columns=[t("common.category"), t("portfolio.count"),
                                             t("portfolio.before"), t("portfolio.now"),
                                             t("portfolio.change")]),
                 hide_index=True, width="stretch")


def _downloads(data: Portfolio) -> None:
    left, right = st.columns(2)
    stamp = dt.date.today().isoformat()
    left.download_button(t("portfolio.download"),
                         services.portfolio_html(data, current_lang()),
                         file_name=f"portfolio-{stamp}.html", mime="text/html")
    table = safe_rows(portfolio_tables(data)["clients"])
    csv = pd.DataFrame(table[1:], columns=table[0]).to_csv(index=False)
    right.download_button(t("portfolio.download_csv"), "\ufeff" + csv,
                          file_name=f"portfolio-{stamp}-clients.csv", mime="text/csv")


def render() -> None:
    st.title(t("portfolio.title"))
    st.caption(t("portfolio.caption"))
    shown = services.visible_clients()
    if not shown:
        st.info(t("portfolio.empty"), icon=":material/info:")
        return
    since = None
    if st.checkbox(t("portfolio.use_since"), key="portfolio-use-since"):
        since = st.date_input(t("portfolio.since"), key="portfolio-since",
                              value=dt.date.today() - dt.timedelta(days=365))
    with st.spinner(t("common.loading")):
        data = services.portfolio(shown, since)
    _totals(data)
    _chart(data)
    _clients_table(data)
    _medians(data)
    _downloads(data)
