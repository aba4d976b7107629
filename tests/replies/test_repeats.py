"""The check that no answer says a sentence twice (tests/replies/repeats.py), which every conversation test runs."""
from tests.replies.repeats import repeated_sentences, sentences


def test_a_sentence_said_twice_across_one_answer_is_found():
    answer = [{"text": "Thank you. I've sent your report."}, {"text": "Your reference is REP-100001. I’ve sent your report!"}]
    assert repeated_sentences(answer) == ["i've sent your report"]


def test_the_same_question_asked_twice_in_one_turn_is_found():
    answer = [{"text": "What's the postcode?"}, {"text": "Sorry, that's not a postcode.\nWhat's the postcode?"}]
    assert repeated_sentences(answer) == ["what's the postcode"]


def test_short_labels_and_different_sentences_are_not_repeats():
    answer = [{"text": "Yes. Goodbye."}, {"text": "Yes. Goodbye. Your bin day is Tuesday."},
              {"text": "Your garden bin day is Tuesday."}]
    assert repeated_sentences(answer) == []
    assert sentences("Said once here.  SAID,   once here!") == ["said once here", "said once here"]
    assert sentences("Two words. Three words here.") == ["three words here"]
