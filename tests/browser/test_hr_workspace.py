"""HR's page with a long queue, in Debian's Chromium at 1280 and 320 px (#18): the queue in
compact groups with one-click group actions and no preselected entry, Swedish words for every
code, review dates and rejected files, charts with their tables, and the agreements with their
PDFs. Each view is checked with axe-core (WCAG 2.1 A/AA) and photographed to test-artifacts/."""

import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bot.hr.labels import LABELS
from bot.launcher import free_port
from bot.main import create_app
from bot.settings import PROJECT_ROOT
from bot.storage.models import Notification, OutboxMessage, ReviewItem, RiskAssessment
from tests.api.conftest import make_settings
from tests.browser.conftest import ARTIFACTS
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_agreement_document import make_agreement

pytestmark = pytest.mark.slow

WIDTHS = [pytest.param(1280, id="1280px"), pytest.param(320, id="320px")]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The queue the issue saw: one short question asked nineteen times in several spellings, a few
# questions asked a handful of ways, and a long tail asked once: 59 questions.
QUEUE = (
    ["Teams"] * 12
    + ["teams", "Teams?", "TEAMS", "teams?", "Teams!", "teams ", "Teams."]
    + ["Får jag ha med mig hunden på jobbet?"] * 3
    + ["får jag ha hund på kontoret?", "Får jag ha hunden hemma när jag jobbar?"]
    + ["Får jag jobba från Spanien?"] * 4
    + ["får jag jobba från spanien i sommar", "Får jag arbeta från Spanien?"]
    + ["Hur loggar jag in i VPN hemifrån?"] * 3
    + [
        "Var parkerar jag vid huvudentrén?",
        "Hur mycket semester har jag kvar?",
        "När betalas lönen ut?",
        "Gäller friskvårdsbidraget gym?",
        "Vem fyller på kaffet?",
        "Skrivaren på plan 3 är trasig",
        "Jag har tappat mina nycklar",
        "Hur stänger jag av larmet?",
        "Kan jag låna tjänstebilen?",
        "Finns det cykelställ?",
        "Ersätts tågresor till jobbet?",
        "Betalar jobbet mina glasögon?",
        "Min stol är obekväm",
        "Lampan blinkar i rummet",
        "Vilka hörlurar ska jag beställa?",
        "Mobilen laddar inte",
        "Var finns laddare till datorn?",
        "Betalar arbetsgivaren bredbandet?",
        "Får jag avdrag för elräkningen?",
        "Gäller hemförsäkringen om datorn går sönder?",
        "Jag ska flytta, vad gör jag?",
        "Barnen är sjuka, vad gäller?",
        "Hur sjukanmäler jag mig?",
        "Hur anmäler jag VAB?",
        "Hur bokar jag en tjänsteresa?",
        "Vad är Distansguiden?",
    ]
)
# HR's English codes that must never show on the page.
CODES = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(code)
        for mapping in LABELS.values()
        for code in mapping
        if "_" in code
        or code
        in (
            "submitted",
            "approved",
            "rejected",
            "active",
            "expiring",
            "expired",
            "renewed",
            "withdrawn",
            "booked",
            "held",
            "documented",
            "cancelled",
            "accident",
            "costs",
            "place",
            "extent",
            "security",
            "training",
            "availability",
            "sickness",
            "agreement",
            "open",
            "resolved",
            "discarded",
            "manager",
            "employee",
        )
    )
    + r")\b"
)


@pytest.fixture(scope="module")
def module_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


def seed_agreements(app: Any) -> None:
    today = date.today()
    with app.state.agreements.db.session() as session:
        documented = RiskAssessment(
            employee_id="anna.andersson",
            manager_id="maria.berg",
            status="documented",
            outcome="Inga risker.",
            documented_on=today - timedelta(days=200),
        )
        session.add(documented)
        session.flush()
        for n, (employee, manager, unit, status, start, end, assessment) in enumerate(
            [
                (
                    "anna.andersson",
                    "maria.berg",
                    "Ekonomienheten",
                    "active",
                    today - timedelta(days=180),
                    today + timedelta(days=180),
                    documented.id,
                ),
                (
                    "erik.ek",
                    "johan.lind",
                    "IT-enheten",
                    "expiring",
                    today - timedelta(days=340),
                    today + timedelta(days=20),
                    None,
                ),
                (
                    "erik.ek",
                    "johan.lind",
                    "IT-enheten",
                    "submitted",
                    today + timedelta(days=30),
                    today + timedelta(days=395),
                    None,
                ),
                (
                    "anna.andersson",
                    "maria.berg",
                    "Ekonomienheten",
                    "rejected",
                    today - timedelta(days=400),
                    today - timedelta(days=40),
                    None,
                ),
            ],
            start=1,
        ):
            session.add(
                make_agreement(
                    reference=f"DA-{today.year}-{n:05d}",
                    submission_key=f"hr-workspace-{n}",
                    employee_id=employee,
                    manager_id=manager,
                    unit=unit,
                    status=status,
                    start_date=start,
                    end_date=end,
                    risk_assessment_id=assessment,
                )
            )


def seed_given_up(app: Any) -> None:
    """A reminder Teams gave up on and an e-mail the SMTP server never took, as their senders
    leave them after the last attempt."""
    now = datetime.now(UTC)
    with app.state.agreements.db.session() as session:
        session.add(
            Notification(
                recipient_id="johan.lind",
                kind="agreement_expiring",
                text="Distansöverenskommelsen för Erik Ek löper ut om 20 dagar.",
                teams_attempts=12,
                teams_last_error="502, message='Bad Gateway', url='https://smba.example/v3/x'",
                teams_given_up_at=now - timedelta(hours=2),
            )
        )
        session.add(
            OutboxMessage(
                kind="email",
                recipient="maria.berg@example.org",
                subject="Riskbedömning av distansarbete",
                body="Riskbedömningen av distansarbete är bokad tisdag 1 december kl. 10.00.",
                reference="risk_assessment:1",
                attempts=12,
                next_attempt_at=None,
                last_error="SMTP mail.region.example:25: timed out",
                given_up_at=now - timedelta(hours=1),
            )
        )


def seed_faq(faq: Path) -> None:
    """One entry past its review date and one file the checker rejects."""
    olycka = faq / "olycka.md"
    text = olycka.read_text(encoding="utf-8")
    text = re.sub(r"reviewed: .*", "reviewed: 2024-01-10", text)
    olycka.write_text(re.sub(r"review_by: .*", "review_by: 2025-01-10", text), encoding="utf-8")
    (faq / "parkering.md").write_text(
        "---\nid: parkering\nquestion: Får jag parkera gratis?\ntopic: costs\n---\nNej.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def server(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("hr-workspace")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    seed_faq(root / "faq")
    app = create_app(
        make_settings(root, module_rasa.url, faq_dir=root / "faq", write_rate_limit=100_000),
        CharTrigramEncoder(),
    )
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.1)
    seed_agreements(app)
    seed_given_up(app)
    with app.state.agreements.db.session() as session:
        session.add_all(
            ReviewItem(
                question=q,
                reason="thumbs_down" if i % 7 == 0 else "low_confidence",
                user_key=f"u{i}",
            )
            for i, q in enumerate(QUEUE)
        )
    app.state.test_url = f"http://127.0.0.1:{port}"
    yield app
    running.should_exit = True
    thread.join(10)


def open_page(browser: Any, url: str, user: str, width: int) -> tuple[Any, list[str]]:
    context = browser.new_context(
        viewport={"width": width, "height": 800 if width > 400 else 640},
        locale="sv-SE",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(f"sessionStorage.setItem('dg-hr-demo-user', '{user}')")
    page.goto(f"{url}/hr")
    return page, problems


def assert_accessible(page: Any) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, results.generate_report()


def open_every_fold(page: Any) -> None:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


# The page's first load runs six requests and draws four charts; on a loaded CI machine that
# once took longer than the default 10 s, so the first load gets more time than a click does.
FIRST_LOAD_MS = 30_000


def loaded(page: Any, admin: bool = True) -> None:
    """Waits until every section has drawn what the server sent."""
    page.wait_for_selector("#queue li", timeout=FIRST_LOAD_MS)
    page.wait_for_selector("#figures-chart img", timeout=FIRST_LOAD_MS)
    # A failed request draws a message instead of the table: wait for either, then say which.
    page.wait_for_selector(
        "#agreements table, #agreements-error:not(:empty)", timeout=FIRST_LOAD_MS
    )
    assert page.locator("#agreements-error").text_content() == ""
    expect(page.locator("#statistics img")).to_have_count(4)
    page.wait_for_selector("#compliance table")
    if admin:
        page.wait_for_selector("#audit details")


# Measured on the page before this change with the same 59 questions: 15,285 px at 1280 px
# (the queue alone 11,083) and 32,296 px at 320 px (the queue 25,980).
QUEUE_HEIGHT_LIMIT = {1280: 1000, 320: 2000}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_queue_is_a_short_list_of_groups_each_wording_once(
    browser: Any, server: Any, width: int
) -> None:
    page, problems = open_page(browser, server.state.test_url, "hanna.holm", width)
    loaded(page)
    queue = page.locator("#queue")
    height = page.evaluate("document.documentElement.scrollHeight")
    queue_height = queue.bounding_box()["height"]
    print(f"\n{width} px: page {height} px, queue {queue_height:.0f} px")
    assert queue_height < QUEUE_HEIGHT_LIMIT[width]
    assert page.inner_text("#queue-summary") == f"{len(QUEUE)} öppna frågor i 32 grupper."
    # The nineteen "Teams" in seven spellings: one row, counted, and one line when opened.
    teams = queue.locator("li.group").filter(
        has=page.locator(".group-label", has_text=re.compile("^Teams$"))
    )
    expect(teams).to_have_count(1)
    expect(teams.locator("summary")).to_contain_text("19 frågor")
    teams.locator("summary").click()
    expect(teams.locator(".wordings li")).to_have_count(1)
    expect(teams.locator(".wordings li")).to_have_text("Teams × 19")
    page.locator("#queue-heading").evaluate("node => node.scrollIntoView()")
    page.screenshot(path=ARTIFACTS / f"hr-queue-{width}px.png")
    # The long tail waits behind a button; the largest groups come first.
    expect(queue.locator("li.group")).to_have_count(12)
    page.get_by_role("button", name="Visa alla 32 grupper").click()
    expect(queue.locator("li.group")).to_have_count(32)
    assert_accessible(page)
    assert problems == []


def test_no_entry_is_chosen_for_hr_and_the_closest_are_offered(browser: Any, server: Any) -> None:
    page, problems = open_page(browser, server.state.test_url, "henrik.hall", 1280)
    loaded(page, admin=False)
    group = page.locator("li.group").filter(has_text="Får jag jobba från Spanien?")
    group.locator("summary").click()
    choice = group.get_by_label("Som alternativa frågor i")
    assert choice.input_value() == ""
    expect(choice.locator("option").first).to_have_text("Välj post …")
    suggested = choice.locator("optgroup[label='Närmast frågorna'] option")
    expect(suggested).to_have_count(3)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/alternates" in r.url else None)
    add = group.get_by_role("button", name="Lägg till 3 formuleringar")
    add.click()
    # The browser asks for a choice; nothing is sent.
    assert choice.evaluate("node => node.validity.valueMissing")
    assert requests == []
    choice.select_option("fritidsbostad")
    add.click()
    expect(page.locator("#status")).to_contain_text("3 alternativa frågor tillagda")
    expect(page.locator("li.group").filter(has_text="Får jag jobba från Spanien?")).to_have_count(0)
    text = (server.state.settings.faq_dir / "fritidsbostad.md").read_text(encoding="utf-8")
    assert "  - får jag jobba från spanien i sommar\n" in text
    assert problems == []


def test_an_admin_closes_a_group_in_one_click_and_the_audit_trail_says_so_in_swedish(
    browser: Any, server: Any
) -> None:
    page, problems = open_page(browser, server.state.test_url, "hanna.holm", 1280)
    loaded(page)
    group = page.locator("li.group").filter(has_text="Hur loggar jag in i VPN hemifrån?")
    group.get_by_role("button", name=re.compile("^Kasta gruppen: Hur loggar jag in i VPN")).click()
    expect(page.locator("#status")).to_have_text(
        "3 frågor kastade: ”Hur loggar jag in i VPN hemifrån?”."
    )
    expect(page.locator("#queue-summary")).to_be_focused()
    expect(page.locator("li.group").filter(has_text="VPN")).to_have_count(0)
    page.locator("#audit summary").click()
    audit = page.locator("#audit tbody tr")
    expect(audit.filter(has_text="Fråga i kön kastad")).to_have_count(3)
    expect(audit.first).to_contain_text("hanna.holm (HR-administratör)")
    # An editor may not close without changing content: no such buttons for them.
    editor, _ = open_page(browser, server.state.test_url, "henrik.hall", 1280)
    loaded(editor, admin=False)
    expect(editor.get_by_role("button", name=re.compile("^Kasta gruppen"))).to_have_count(0)
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_every_code_shows_in_swedish_and_figures_name_entries_not_hashes(
    browser: Any, server: Any, width: int
) -> None:
    page, problems = open_page(browser, server.state.test_url, "hanna.holm", width)
    loaded(page)
    page.locator("#try-question").fill("Får jag jobba från sommarstugan?")
    page.get_by_role("button", name="Prova", exact=True).click()
    page.wait_for_selector("#try-result table")
    open_every_fold(page)
    visible = page.inner_text("body")
    assert CODES.findall(visible) == []
    assert re.search(r"\b[0-9a-f]{12,}\b", page.inner_text("#figures")) is None
    figures = page.inner_text("#figures")
    assert "Får medarbetaren arbeta på distans från exempelvis fritidsbostaden?" in figures
    assert "Olyckor och tillbud" in figures
    assert "Inloggad: Hanna Holm (HR-administratör)" in visible
    assert "Inskickad, väntar på beslut" in page.inner_text("#agreements")
    assert_accessible(page)
    assert problems == []


def test_hr_sees_what_did_not_arrive_and_an_admin_marks_it_handled_by_keyboard(
    browser: Any, server: Any
) -> None:
    editor, _ = open_page(browser, server.state.test_url, "henrik.hall", 1280)
    loaded(editor, admin=False)
    expect(editor.locator("#deliveries-section")).to_be_visible()
    expect(editor.locator("#deliveries tbody tr")).to_have_count(2)
    expect(editor.get_by_role("button", name=re.compile("^Markera som hanterad"))).to_have_count(0)

    page, problems = open_page(browser, server.state.test_url, "hanna.holm", 1280)
    loaded(page)
    section = page.locator("#deliveries-section")
    expect(page.locator("#deliveries-summary")).to_have_text("2 meddelanden kom inte fram.")
    rows = section.locator("tbody tr")
    # Newest first: the e-mail an hour ago, then the Teams reminder.
    expect(rows.nth(0)).to_contain_text("Maria Berg")
    expect(rows.nth(0)).to_contain_text("E-post: Riskbedömning av distansarbete")
    expect(rows.nth(0)).to_contain_text("E-postservern svarade inte i tid.")
    teams = rows.nth(1)
    expect(teams).to_contain_text("Johan Lind")
    expect(teams).to_contain_text("Teams-meddelande: Påminnelse: överenskommelsen löper snart ut")
    expect(teams).to_contain_text("serverfel (502)")
    teams.get_by_text("Visa meddelandet").click()
    expect(teams).to_contain_text("Distansöverenskommelsen för Erik Ek löper ut om 20 dagar.")
    assert_accessible(page)

    note = teams.get_by_label("Vad gjorde du? (valfritt)")
    note.focus()
    page.keyboard.type("Ringt Johan")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name="Markera som hanterad: Teams-meddelande till Johan Lind")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(
        "Markerat som hanterat: Teams-meddelande till Johan Lind."
    )
    expect(page.locator("#deliveries-summary")).to_be_focused()
    expect(page.locator("#deliveries-summary")).to_have_text("Ett meddelande kom inte fram.")
    expect(rows).to_have_count(1)
    page.locator("#audit summary").click()
    record = page.locator("#audit tbody tr").filter(
        has_text="Meddelande som inte kom fram markerat som hanterat"
    )
    expect(record).to_have_count(1)
    expect(record).to_contain_text("hanna.holm (HR-administratör)")
    expect(record).to_contain_text("som inte kom fram")
    assert problems == []


def test_rejected_files_and_passed_review_dates_are_shown(browser: Any, server: Any) -> None:
    page, problems = open_page(browser, server.state.test_url, "henrik.hall", 1280)
    loaded(page, admin=False)
    notice = page.locator("#faq-status")
    expect(notice).to_be_visible()
    rejected = notice.locator("#rejected > ul > li")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("faq/parkering.md Filen visas inte alls.")
    expect(rejected).to_contain_text("Fältet 'owner' saknas")
    expect(notice.locator("#overdue")).to_contain_text(
        "Vad händer om olyckan är framme? (granska senast 2025-01-10)"
    )
    page.locator("#figures summary").click()
    row = page.locator("#figures tr").filter(has_text="Vad händer om olyckan är framme?")
    expect(row).to_contain_text("2025-01-10 (passerat)")
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_are_images_with_descriptions_and_tables(
    browser: Any, server: Any, width: int
) -> None:
    page, problems = open_page(browser, server.state.test_url, "hanna.holm", width)
    loaded(page)
    charts = page.locator("figure.chart:has(img)")
    expect(charts).to_have_count(5)
    for i in range(5):
        chart = charts.nth(i)
        image = chart.locator("img")
        assert image.get_attribute("src").startswith("data:image/svg+xml")
        assert image.get_attribute("alt").startswith(chart.locator("figcaption").inner_text())
        assert image.evaluate("node => node.complete && node.naturalWidth > 0")
        chart.locator("summary").click()
        expect(chart.locator("table")).to_be_visible()
    status = charts.filter(has_text="Alla överenskommelser efter status")
    expect(status.locator("tr").filter(has_text="Inskickad, väntar på beslut")).to_contain_text(
        "1 överenskommelse"
    )
    page.locator("#statistics").screenshot(path=ARTIFACTS / f"hr-statistics-{width}px.png")
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_hr_filters_the_agreements_and_downloads_a_pdf(
    browser: Any, server: Any, width: int
) -> None:
    page, problems = open_page(browser, server.state.test_url, "henrik.hall", width)
    loaded(page, admin=False)
    rows = page.locator("#agreements tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#agreements-summary")).to_have_text("Visar 4 av 4 överenskommelser.")
    expiring = rows.filter(has_text="Gällande, löper snart ut")
    expect(expiring).to_contain_text("Erik Ek")
    expect(expiring.locator("td").nth(5)).to_have_text("Ja")
    documented = rows.filter(has_text="Gällande").filter(has_text="Anna Andersson")
    expect(documented.locator("td").nth(4)).to_contain_text("Dokumenterad")

    page.get_by_label("Bara gällande som löper ut inom 30 dagar").check()
    page.get_by_role("button", name="Visa", exact=True).first.click()
    expect(rows).to_have_count(1)
    page.get_by_label("Bara gällande som löper ut inom 30 dagar").uncheck()
    page.get_by_label("Status", exact=True).select_option(label="Inskickad, väntar på beslut")
    page.get_by_label("Medarbetare", exact=True).fill("erik")
    page.locator("#agreements-form button[type=submit]").click()
    # The list before it held one row too: wait for the submitted request's.
    expect(rows.first).to_contain_text("Inskickad, väntar på beslut")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Erik Ek")
    with page.expect_download() as downloaded:
        rows.first.get_by_role("link", name=re.compile("^PDF DA-")).click()
    assert downloaded.value.suggested_filename.endswith("-utkast.pdf")
    assert Path(downloaded.value.path()).read_bytes().startswith(b"%PDF")
    page.get_by_label("Riskbedömning", exact=True).select_option("documented")
    page.locator("#agreements-form button[type=submit]").click()
    expect(page.locator("#agreements-summary")).to_have_text("Inga överenskommelser med de valen.")
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Medarbetare", exact=True).fill("")
    page.get_by_label("Riskbedömning", exact=True).select_option("")
    page.locator("#agreements-form button[type=submit]").click()
    expect(rows).to_have_count(4)
    page.locator("#agreements-heading").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"hr-agreements-{width}px.png")
    assert_accessible(page)
    assert problems == []
