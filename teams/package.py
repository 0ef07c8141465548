"""Builds the Teams app package that an administrator uploads in the Teams admin center:
manifest.json with the app registration's id and the public URL filled in, plus both icons,
zipped flat (``make teams-package``).

Standard library only, so it runs before the app's environment is installed.
"""

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
ICONS = ("color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def build(app_id: str, website_url: str, out: Path) -> Path:
    """Writes the zip to ``out``; raises ValueError for an id or URL Teams would refuse."""
    if not GUID.match(app_id):
        raise ValueError(f"the app id must be the app registration's GUID, not {app_id!r}")
    if not website_url.startswith("https://"):
        raise ValueError(f"the website URL must start with https://, not {website_url!r}")
    text = (HERE / "manifest.json").read_text(encoding="utf-8")
    text = text.replace("${TEAMS_APP_ID}", app_id).replace("${TEAMS_WEBSITE_URL}", website_url)
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
    parser.add_argument("--out", type=Path, default=Path("dist/distansguiden-teams.zip"))
    args = parser.parse_args()
    try:
        out = build(args.app_id.strip(), args.website_url.strip().rstrip("/"), args.out)
    except ValueError as error:
        print(f"teams-package: {error}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
