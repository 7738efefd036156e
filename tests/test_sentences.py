import pytest

from pipeline.sentences import paragraph_spans, split_sentences


def test_sentences_offsets_point_back_into_the_text():
    text = "Seoul protested. Tokyo said the U.S. envoy left at 5 p.m. on Friday.\n\nA second paragraph."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Seoul protested.",
        "Tokyo said the U.S. envoy left at 5 p.m. on Friday.",
        "A second paragraph.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 0, 1]
    assert [s.index for s in sentences] == [0, 1, 0]  # numbered within their paragraph


@pytest.mark.parametrize(
    "text, count",
    [("", 0), ("   \n\n  ", 0), ("One line without a stop", 1), ("Line one\nLine two", 2)],
)
def test_sentences_blank_and_unterminated_text(text, count):
    assert len(split_sentences(text)) == count


def test_sentences_non_ascii_offsets_are_characters_not_bytes():
    text = "Türkiye’s minister said “no”. Erdoğan agreed."
    sentences = split_sentences(text)
    assert [text[s.start : s.end] for s in sentences] == [s.text for s in sentences]
    assert sentences[1].text == "Erdoğan agreed."


def test_sentences_runaway_sentence_is_cut_at_semicolons():
    clause = "the minister listed another grievance against the neighbouring state"
    text = "; ".join([clause] * 30) + "."
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= 1200 for s in sentences)


def test_sentences_paragraphs_keep_their_offsets():
    text = "First.\n\n  Second one.\nThird."
    assert paragraph_spans(text) == [(0, "First."), (10, "Second one."), (22, "Third.")]


def test_sentences_a_long_text_without_stops_is_cut_into_pieces():
    text = " ".join(["word"] * 2000)  # 10,000 characters, no stop and no semicolon
    sentences = split_sentences(text)
    assert len(sentences) > 1 and all(len(s.text) <= 1200 for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert sum(len(s.text.split()) for s in sentences) == 2000
