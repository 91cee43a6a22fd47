"""Scheduled publishing: school menus, notices (posted and DM'd by segment), emergency alerts and
air-quality warnings, decided from the database on every tick and handed to the outbox once."""
