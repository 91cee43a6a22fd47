"""The router: explicit rules, then a trained model, then the triage desk (docs/routing.md)."""
