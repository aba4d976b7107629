"""Reading a service's Prometheus metrics as a scraper does, and comparing two scrapes."""
from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

import requests
from prometheus_client.parser import text_string_to_metric_families

Sample = Tuple[str, FrozenSet[Tuple[str, str]]]


class Scrape:
    def __init__(self, text: str) -> None:
        self.samples: Dict[Sample, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                self.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value

    def value(self, name: str, **labels: str) -> Optional[float]:
        return self.samples.get((name, frozenset(labels.items())))

    def has(self, name: str) -> bool:
        return any(sample_name == name for sample_name, _ in self.samples)

    def moved(self, before: "Scrape", name: str, **labels: str) -> float:
        """How far a counter moved since `before` (a series absent then counts as 0)."""
        return (self.value(name, **labels) or 0.0) - (before.value(name, **labels) or 0.0)


def scrape(url: str, token: Optional[str] = None) -> Scrape:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(url, headers=headers, timeout=30)
    assert answer.status_code == 200, (answer.status_code, answer.text[:500])
    assert answer.headers["Content-Type"].startswith("text/plain"), answer.headers
    return Scrape(answer.text)


def rasa_metrics(rasa_url: str) -> Scrape:
    return scrape(f"{rasa_url}/webhooks/ops/metrics")


def action_metrics(action_url: str, token: Optional[str] = None) -> Scrape:
    return scrape(f"{action_url}/metrics", token)
