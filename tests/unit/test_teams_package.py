"""``make teams-package``: the zip an administrator uploads in the Teams admin center."""

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

APP_ID = "5c7e3f0a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
WEBSITE = "https://distansguiden.region.example"


def make_package(out: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "teams-package", f"TEAMS_PACKAGE={out}", *variables],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGBA rows of an 8-bit RGBA PNG with unfiltered rows (as drawn by
    teams/icons.py)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 6), "8-bit RGBA"
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows), "rows are unfiltered"
    return width, height, [row[1:] for row in rows]


def test_the_package_holds_the_manifest_with_the_app_id_and_both_icons(tmp_path: Path) -> None:
    out = tmp_path / "distansguiden-teams.zip"
    result = make_package(out, f"TEAMS_APP_ID={APP_ID}", f"TEAMS_WEBSITE_URL={WEBSITE}")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = read_png(package.read("color.png"))
        outline = read_png(package.read("outline.png"))
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    # A team channel is read by colleagues: no personal process is offered there.
    assert set(bot["scopes"]) == {"personal", "groupChat"}
    major, minor = (int(part) for part in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)
    assert f"v{manifest['manifestVersion']}/" in manifest["$schema"]
    # The developer is the region, from its file; the privacy and terms pages are the app's.
    assert manifest["developer"] == {
        "name": "Region Västmanland",
        "websiteUrl": "https://regionvastmanland.se",
        "privacyUrl": f"{WEBSITE}/integritet",
        "termsOfUseUrl": f"{WEBSITE}/villkor",
    }
    assert "${" not in json.dumps(manifest)
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    # Teams wants the outline icon white on transparent, nothing else.
    pixels = {bytes(row[i : i + 4]) for row in outline[2] for i in range(0, len(row), 4)}
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}


def test_the_app_id_can_come_from_the_app_setting(tmp_path: Path) -> None:
    out = tmp_path / "package.zip"
    result = subprocess.run(
        ["make", "-s", "teams-package", f"TEAMS_PACKAGE={out}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DG_TEAMS_APP_ID": APP_ID, "DG_TEAMS_WEBSITE_URL": WEBSITE},
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        assert json.loads(package.read("manifest.json"))["id"] == APP_ID


def test_a_missing_or_malformed_app_id_builds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "package.zip"
    result = make_package(out, "TEAMS_APP_ID=my-bot", f"TEAMS_WEBSITE_URL={WEBSITE}")
    assert result.returncode != 0
    assert "GUID" in result.stderr
    assert not out.exists()
    result = make_package(out, f"TEAMS_APP_ID={APP_ID}", "TEAMS_WEBSITE_URL=http://insecure")
    assert result.returncode != 0
    assert "https://" in result.stderr


def commands(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each scope's commands: title -> description."""
    found: dict[str, dict[str, str]] = {}
    for listed in manifest["bots"][0]["commandLists"]:
        for scope in listed["scopes"]:
            found.setdefault(scope, {}).update(
                {c["title"]: c["description"] for c in listed["commands"]}
            )
    return found


def test_commands_are_offered_per_scope_and_a_managers_say_so(tmp_path: Path) -> None:
    out = tmp_path / "package.zip"
    result = make_package(out, f"TEAMS_APP_ID={APP_ID}", f"TEAMS_WEBSITE_URL={WEBSITE}")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        offered = commands(json.loads(package.read("manifest.json")))
    assert set(offered) == {"personal", "groupChat"}
    personal = offered["personal"]
    assert {"hjälp", "boka riskbedömning", "jag vill ansöka om distansarbete"} <= set(personal)
    assert "chefer" in personal["visa mina ansökningar"].lower()
    assert personal["dokumentera riskbedömningen"].startswith("För chefer:")
    # In a group chat only questions: nothing that starts a personal process.
    processes = {"jag vill ansöka om distansarbete", "boka riskbedömning"}
    assert not processes & set(offered["groupChat"])
    for scope in offered.values():
        assert all(len(title) <= 32 and len(text) <= 128 for title, text in scope.items())


def test_the_developer_follows_the_region_and_the_address_the_public_url(tmp_path: Path) -> None:
    out = tmp_path / "package.zip"
    result = subprocess.run(
        ["make", "-s", "teams-package", f"TEAMS_PACKAGE={out}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DG_TEAMS_APP_ID": APP_ID,
            "DG_PUBLIC_URL": "https://dg.rvn.example",
            "DG_REGION": "vasternorrland",
        },
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["developer"]["name"] == "Region Västernorrland"
    assert manifest["developer"]["privacyUrl"] == "https://dg.rvn.example/integritet"
    assert manifest["validDomains"] == ["dg.rvn.example"]


def test_a_region_without_a_usable_name_builds_nothing(tmp_path: Path) -> None:
    regions = tmp_path / "regions"
    regions.mkdir()
    (regions / "lang.yml").write_text(
        "id: lang\nname: Region med ett namn som är alldeles för långt för Teams\n",
        encoding="utf-8",
    )
    out = tmp_path / "package.zip"
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "teams" / "package.py"),
            f"--app-id={APP_ID}",
            f"--website-url={WEBSITE}",
            "--region=lang",
            f"--regions-dir={regions}",
            f"--out={out}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "publisher.name" in result.stderr
    assert not out.exists()
