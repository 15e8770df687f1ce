"""Bianmin queue: Appointments, tickets, counters, calling, display boards and people flow for the district hall and every township hall."""
