"""Web-desk staff accounts: who may sign in, in which role, and how their passwords are kept."""
