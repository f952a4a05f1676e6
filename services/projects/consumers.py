"""Event handlers of the projects service: proposals and grants of the annual call, from funding."""

from services.projects.projects.proposals import apply_grant_event
from shared.kafka import FUNDING_TOPIC
from shared.runtime import ConsumerSpec

CONSUMERS = [ConsumerSpec(group="xarxa.projects", topics=[FUNDING_TOPIC], handler=apply_grant_event)]
