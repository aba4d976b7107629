"""A channel that does what the project's channels do at start-up: check the production settings first."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput

from connectors.production import check_production_settings


class ProductionCheckedInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "production_checked"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ProductionCheckedInput":
        check_production_settings()
        return cls()
