"""The X channel: the only code in jun-engine that imports tweepy."""

from jun_engine.channels.x.credentials import XCredentials, credentials_for
from jun_engine.channels.x.gateway import XGateway
from jun_engine.channels.x.session import X_API_ORIGIN

__all__ = ["X_API_ORIGIN", "XCredentials", "XGateway", "credentials_for"]
