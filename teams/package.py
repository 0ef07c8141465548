"""Builds the Teams app package that an administrator uploads in the Teams admin center:
manifest.json with the app registration's id, the app's public address (its privacy and terms
pages are ``/integritet`` and ``/villkor``) and the developer from the region's file
(``publisher`` in ``regions/<id>.yml``), plus both icons, zipped flat (``make teams-package``).

Standard library and PyYAML only (the app's environment, or Debian's python3-yaml), so it runs
without the app's heavier dependencies.
"""

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).parent
REGIONS = HERE.parent / "regions"
ICONS = ("color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Teams refuses a longer developer name.
DEVELOPER_NAME_MAX = 32


def publisher(region_file: Path) -> tuple[str, str | None]:
    """The developer's name and website from the region's file: ``publisher.name`` (default the
    region's ``name``) and ``publisher.website`` (None: the app's own address)."""
    try:
        import yaml
    except ImportError:
        raise ValueError("PyYAML is needed to read the region's file (make install)") from None
    try:
        region: dict[str, Any] = yaml.safe_load(region_file.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ValueError(f"cannot read the region's file {region_file}: {error}") from None
    published = region.get("publisher") or {}
    name = str(published.get("name") or region.get("name") or "").strip()
    if not name or len(name) > DEVELOPER_NAME_MAX:
        raise ValueError(
            f"{region_file}: publisher.name (or name) must be 1 to {DEVELOPER_NAME_MAX} "
            f"characters for Teams, not {name!r}"
        )
    website = published.get("website")
    return name, str(website).rstrip("/") if website else None


def build(app_id: str, website_url: str, out: Path, region_file: Path) -> Path:
    """Writes the zip to ``out``; raises ValueError for an id, URL or region Teams would
    refuse."""
    if not GUID.match(app_id):
        raise ValueError(f"the app id must be the app registration's GUID, not {app_id!r}")
    if not website_url.startswith("https://"):
        raise ValueError(f"the website URL must start with https://, not {website_url!r}")
    name, developer_site = publisher(region_file)
    values = {
        "TEAMS_APP_ID": app_id,
        "TEAMS_WEBSITE_URL": website_url,
        "TEAMS_WEBSITE_HOST": urlsplit(website_url).netloc,
        # JSON-escaped: the name goes inside a string of the manifest.
        "DEVELOPER_NAME": json.dumps(name)[1:-1],
        "DEVELOPER_WEBSITE_URL": developer_site or website_url,
    }
    text = (HERE / "manifest.json").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    left = re.findall(r"\$\{[A-Z_]+\}", text)
    if left:
        raise ValueError(f"manifest.json has placeholders nobody fills in: {left}")
    json.loads(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", text)
        for icon in ICONS:
            package.write(HERE / icon, icon)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-id", required=True, help="the Entra app registration's id")
    parser.add_argument("--website-url", required=True, help="https://<host> of the app")
    parser.add_argument("--region", default="vastmanland", help="the region's id (DG_REGION)")
    parser.add_argument("--regions-dir", type=Path, default=REGIONS)
    parser.add_argument("--out", type=Path, default=Path("dist/distansguiden-teams.zip"))
    args = parser.parse_args()
    region_file = args.regions_dir / f"{args.region.strip()}.yml"
    try:
        out = build(
            args.app_id.strip(), args.website_url.strip().rstrip("/"), args.out, region_file
        )
    except ValueError as error:
        print(f"teams-package: {error}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
