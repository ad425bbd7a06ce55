"""Curricula: checklists trainees work through, ticked off from evidence in the Reports API."""
