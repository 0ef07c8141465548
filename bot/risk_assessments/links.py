"""Links to the risk-assessment dialogue as people open them: absolute addresses on the app's
public URL (``DG_PUBLIC_URL``), so they work from Teams, e-mail and a calendar, not only from the
web chat's own page."""

from dataclasses import dataclass

CHECKLIST_PATH = "/riskbedomning/checklista"


@dataclass(frozen=True)
class PublicLinks:
    """``base_url`` without a trailing slash; "" gives links without a host (production with no
    ``DG_PUBLIC_URL``), which only the web chat can follow."""

    base_url: str = ""

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def checklist(self) -> str:
        """HR's checklist for the dialogue, readable without signing in."""
        return self.absolute(CHECKLIST_PATH)

    def invitation(self, assessment_id: int) -> str:
        """The dialogue's invitation (.ics) as it now stands."""
        return self.absolute(f"/api/risk-assessments/{assessment_id}.ics")


def markdown_link(title: str, url: str) -> str:
    """A link with a readable name, as the web chat and Teams show markdown."""
    return f"[{title}]({url})"
