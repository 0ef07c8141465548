"""The FAQ topics as HR reads them: each ``topic`` code (the Rasa intent ``faq_<topic>``) with
its Swedish label, in the order HR's forms offer them."""

TOPIC_LABELS: dict[str, str] = {
    "place": "Arbetsplats",
    "extent": "Omfattning",
    "demand_remote": "Rätt till distansarbete",
    "ordered_remote": "Beordrat distansarbete",
    "work_environment": "Arbetsmiljö",
    "risk_assessment": "Riskbedömning",
    "accident": "Olyckor och tillbud",
    "availability": "Tillgänglighet",
    "sickness": "Sjukdom",
    "it_support_home": "IT-stöd hemma",
    "it_support_on_site": "IT-stöd på arbetsplatsen",
    "costs": "Kostnader",
    "security": "Informationssäkerhet",
    "agreement": "Distansöverenskommelse",
    "follow_up": "Uppföljning",
    "training": "Utbildning",
}


def topic_label(topic: str) -> str:
    """The Swedish label; a topic HR added without a label shows as its code."""
    return TOPIC_LABELS.get(topic, topic)
