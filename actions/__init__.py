"""Rasa custom actions. They run inside the app, which hands them the services they need."""

from rasa_sdk import Action

from actions.faq import ActionAnswerFaq
from bot.faq.answering import FaqAnswerer


def build_actions(answerer: FaqAnswerer) -> list[Action]:
    return [ActionAnswerFaq(answerer)]
