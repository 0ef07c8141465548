"""How a message inside a form is read before any of it becomes a value: yes and no with their
negations, hedges, chitchat, wishes to stop, questions and corrections."""

import pytest

from actions.conversation.reading import (
    Answer,
    Message,
    StopWish,
    has_correction_cue,
    instead_parts,
    is_change_only,
    is_chitchat,
    is_hedge,
    is_question,
    is_skip,
    steps_away,
    stop_wish,
    without_chitchat_opening,
    without_hedge_tag,
    yes_or_no,
)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("ja", Answer.YES),
        ("ja, jag har läst dem", Answer.YES),
        ("jo, nu har jag läst dem", Answer.YES),
        ("nu har jag läst dem", Answer.YES),
        ("yes I have read them", Answer.YES),
        ("absolut", Answer.YES),
        ("jag har inte läst dem", Answer.NO),
        ("jag har", Answer.NONE),
        ("jag", Answer.NONE),
        ("nej", Answer.NO),
        ("inte än", Answer.NO),
        ("nej, inte ännu", Answer.NO),
        ("I haven't read them yet", Answer.NO),
        ("det stämmer inte", Answer.NO),
        ("jag vet faktiskt inte", Answer.UNSURE),
        ("kanske", Answer.UNSURE),
        ("not sure", Answer.UNSURE),
        ("Budgetarbete", Answer.NONE),
    ],
)
def test_yes_and_no_read_negations_and_hedges(text: str, answer: Answer) -> None:
    assert yes_or_no(Message(text)) is answer


def test_a_word_starting_with_ja_is_no_yes() -> None:
    """The old prefix rule took "jag ..." for "ja"."""
    assert yes_or_no(Message("jag vet inte riktigt")) is not Answer.YES
    assert yes_or_no(Message("jaha")) is not Answer.YES


def test_buttons_and_the_nlu_count_as_yes_and_no() -> None:
    assert yes_or_no(Message("/affirm", intent="affirm", confidence=1.0)) is Answer.YES
    assert yes_or_no(Message("/deny", intent="deny", confidence=1.0)) is Answer.NO
    assert yes_or_no(Message("kör på", intent="affirm", confidence=0.95)) is Answer.YES
    assert yes_or_no(Message("kör på", intent="affirm", confidence=0.5)) is Answer.NONE


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("avbryt", StopWish.CLEAR),
        ("Avbryt!", StopWish.CLEAR),
        ("nej, avbryt", StopWish.CLEAR),
        ("jag vill avbryta", StopWish.CLEAR),
        ("strunta i det", StopWish.CLEAR),
        ("jag orkar inte med det här nu, strunta i det", StopWish.CLEAR),
        ("då läser jag dem först, avbryt", StopWish.CLEAR),
        ("cancel", StopWish.CLEAR),
        ("jag vet inte om jag vill fortsätta", StopWish.UNSURE),
        ("vänta, jag ångrar mig nog", StopWish.UNSURE),
        ("Avsluta och arkivera ärenden", StopWish.NONE),
        ("Hantera avbrott i IT-driften", StopWish.NONE),
        ("Dokumentation", StopWish.NONE),
        ("Vi behöver avbryta allt distansarbete på enheten under omorganisationen.", StopWish.NONE),
        ("Avbryta pågående utredningar är inte aktuellt, det gäller rapporter", StopWish.NONE),
        # What a stop verb stops, when it is not this process: an answer, not a wish to stop.
        ("Vi kan inte stoppa projektet mitt i, och det gäller hela våren", StopWish.NONE),
        ("två dagar i veckan, så jag kan sluta pendla på måndagar och fredagar", StopWish.NONE),
        ("ringa patienter som vill avbryta sin behandling och boka om tider", StopWish.NONE),
        ("jag vill avbryta min ansökan", StopWish.UNSURE),
        ("jag vill sluta söka, det blir inget", StopWish.UNSURE),
        # Batch 2026-12-04: a follow-up answer about the employee asked whether to stop.
        ("Hon har svårt att sluta i tid", StopWish.NONE),
        ("Han glömmer att stoppa arbetet på kvällarna", StopWish.NONE),
        ("jag vill att vi avbryter", StopWish.CLEAR),
        ("nej vänta, jag vill sluta", StopWish.CLEAR),
    ],
)
def test_only_a_clear_wish_stops(text: str, wish: StopWish) -> None:
    assert stop_wish(Message(text)) is wish


@pytest.mark.parametrize(
    "text",
    [
        "tack", "Tack!", "ok", "okej", "hej hej", "hmm", "👍", "??", "perfekt, tack så mycket",
        "toppen, tack!", "great, thanks a lot", "tack för hjälpen",
    ],
)  # fmt: skip
def test_chitchat(text: str) -> None:
    assert is_chitchat(Message(text))


@pytest.mark.parametrize(
    "text", ["hemma", "ekonomi", "tack vare bildskärmen", "Teams", "ok, hemma", "tack, 40 %"]
)
def test_not_chitchat(text: str) -> None:
    assert not is_chitchat(Message(text))


def test_greeting_intent_counts_only_for_short_messages() -> None:
    assert is_chitchat(Message("god kväll allihop", intent="greet", confidence=0.95))
    assert not is_chitchat(Message("hej, jag jobbar med löner", intent="greet", confidence=0.95))


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("får jag jobba från sommarstugan?", True),
        ("måste jag ha en överenskommelse om jag bara jobbar hemma ibland", True),
        ("Vem betalar för internet hemma", True),
        ("Who pays for my broadband at home?", True),
        ("hemma", False),
        ("kan", False),
        ("Kundsupport via telefon", False),
        ("??", False),
    ],
)
def test_questions(text: str, question: bool) -> None:
    assert is_question(Message(text)) is question


def test_hedges() -> None:
    assert is_hedge(Message("vet inte, kanske hälften?"))
    assert is_hedge(Message("kanske i februari någon gång"))
    assert not is_hedge(Message("hälften"))


@pytest.mark.parametrize(
    "text",
    [
        "nej vänta, jag menar 60 procent",
        "oj, startdatumet ska vara 15 januari",
        "förresten, det blir tre dagar i veckan inte två",
        "ändra startdatum till 1 mars",
        "change the share to 50%",
        "kan vi ta kl 14 istället?",
    ],
)
def test_correction_cues(text: str) -> None:
    assert has_correction_cue(Message(text))


def test_no_correction_cue_in_a_plain_answer() -> None:
    assert not has_correction_cue(Message("ekonomiuppföljning och rapporter"))


def test_change_without_saying_what() -> None:
    assert is_change_only(Message("ändra"))
    assert is_change_only(Message("Jag vill ändra något"))
    assert not is_change_only(Message("ändra startdatum till 1 mars"))


def test_instead_parts() -> None:
    assert instead_parts("nej inte 1 februari utan 8 februari") == ("1 februari", "8 februari")
    assert instead_parts("vänta, jag ska jobba hemma, inte i stugan") == (
        "i stugan",
        "jag ska jobba hemma",
    )
    assert instead_parts("hemma") is None


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        # Batch 2026-12-04b: an FAQ question in the middle of the form stopped it.
        ("who owns the laptop if I quit?", StopWish.NONE),
        ("vad händer om jag ångrar mig?", StopWish.NONE),
        ("I quit", StopWish.CLEAR),
        # Putting it off is asked about, never taken as an answer.
        ("nej förresten, jag väntar med beslutet tills vi har pratat", StopWish.UNSURE),
        ("vi tar det en annan dag", StopWish.CLEAR),
        ("Vi väntar med att införa distansarbete på enheten till hösten", StopWish.NONE),
    ],
)
def test_stopping_said_about_a_situation_or_for_later(text: str, wish: StopWish) -> None:
    assert stop_wish(Message(text)) is wish


@pytest.mark.parametrize(
    ("text", "skip"),
    [
        ("hoppa över", True),
        ("Hoppa över den frågan", True),
        ("kan vi skippa den?", True),
        ("skip this one please", True),
        ("hoppa över lunchen ibland", False),
        ("/skip", False),
    ],
)
def test_a_wish_to_skip_the_question(text: str, skip: bool) -> None:
    assert is_skip(Message(text)) is skip


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("ok tack. hemma", "hemma"),
        ("Tack! 40 procent", "40 procent"),
        ("ok, skicka", "skicka"),
        # "Bra" may be the answer to how something works; kept.
        ("Bra, de har avstämning varje morgon", "Bra, de har avstämning varje morgon"),
        ("ok tack", "ok tack"),
        ("tack!", "tack!"),
    ],
)
def test_a_thank_you_before_the_answer_is_not_part_of_it(text: str, rest: str) -> None:
    """ "ok tack. hemma" was taken as a thank-you only (batch 2026-12-04c)."""
    assert without_chitchat_opening(Message(text=text, intent="thanks", confidence=0.95)).text == (
        rest
    )


@pytest.mark.parametrize(
    ("text", "away"),
    [
        ("vänta, jag måste svara i telefon", True),
        ("måste springa på ett möte, fortsätter sen", True),
        ("brb", True),
        ("one sec", True),
        # Reasons and tasks that mention leaving are answers.
        ("Hon måste gå ner i tid under våren", False),
        ("Svara i telefon och boka möten", False),
        ("Vi behöver henne på plats, hon måste svara i telefon i receptionen", False),
    ],
)
def test_stepping_away_is_not_an_answer(text: str, away: bool) -> None:
    """ "vänta, jag måste svara i telefon" was stored as the reason for a rejection (batch
    2026-12-04c)."""
    assert steps_away(Message(text=text)) is away


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # A free-text answer with a hedge tagged on (batch 2026-12-06f: the risk was asked
        # again, and the next answer, an action, became the risk).
        ("the late emails I guess, nothing else", "the late emails"),
        ("lösa sladdar tror jag", "lösa sladdar"),
        # Nothing but a hedge, or a hedge inside: no answer.
        ("vet inte, kanske", None),
        ("vet inte om det finns några", None),
        ("stress kanske", None),
    ],
)
def test_a_hedge_at_the_end_of_an_answer_leaves_the_answer(text: str, answer: str | None) -> None:
    rest = without_hedge_tag(Message(text=text))
    assert (rest.text if rest else None) == answer


@pytest.mark.parametrize(
    "text", ["hmm no, make it 2pm, she has a dentist thing before", "äh nej, tisdag kl 10"]
)
def test_a_filler_before_the_correction_cue_is_still_a_correction(text: str) -> None:
    assert has_correction_cue(Message(text=text))


@pytest.mark.parametrize(
    ("text", "answer"), [("👍", Answer.YES), ("👍🏻", Answer.YES), ("🙁", Answer.NONE)]
)
def test_a_thumbs_up_is_a_yes(text: str, answer: Answer) -> None:
    """ "👍" at the summary showed the summary again (batch 2026-12-06g)."""
    assert yes_or_no(Message(text=text)) is answer
