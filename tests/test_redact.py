"""What the search analytics keep of a query or comment: identifiers taken out, the rest as typed."""

from __future__ import annotations

import pytest

from index.redact import BANK, CARD, EMAIL, ID_NUMBER, IRD, NHI, NUMBER, PHONE, redact

# (identifier as people type it, what it must become)
IDENTIFIERS = [
    ("jane.doe@example.govt.nz", EMAIL),
    ("J.O'Brien+hub@mail.co.nz", EMAIL),
    ("someone@localhost.localdomain", EMAIL),
    ("021 123 4567", PHONE),
    ("021-123-4567", PHONE),
    ("0211234567", PHONE),
    ("022 1234 567", PHONE),
    ("09 123 4567", PHONE),
    ("(09) 123-4567", PHONE),
    ("(04) 471 8000", PHONE),
    ("03.123.4567", PHONE),
    ("0800 123 456", PHONE),
    ("0800123456", PHONE),
    ("+64 21 123 4567", PHONE),
    ("+64-9-123-4567", PHONE),
    ("+6421234567", PHONE),
    ("+1 (415) 555-0123", PHONE),
    ("+44 20 7946 0958", PHONE),
    ("+61 2 9876 5432", PHONE),
    ("49-091-850", IRD),
    ("049-091-850", IRD),
    ("049 091 850", IRD),
    ("49091850", IRD),
    ("136410132", IRD),
    ("ZZZ0016", NHI),
    ("zzz0016", NHI),
    ("ABC1235", NHI),
    ("ZAC12AB", NHI),
    ("zha45ty", NHI),
    ("4111 1111 1111 1111", CARD),
    ("4111-1111-1111-1111", CARD),
    ("4111111111111111", CARD),
    ("5555 5555 5555 4444", CARD),
    ("3782 822463 10005", CARD),  # American Express, 15 digits
    ("6011 0009 9013 9424", CARD),
    ("4222222222222", CARD),  # 13 digits
    ("12-3456-7890123-00", BANK),
    ("12-3456-7890123-001", BANK),
    ("12 3456 7890123 00", BANK),
    ("LA123456", ID_NUMBER),  # a New Zealand passport
    ("dl123456", ID_NUMBER),  # a driver licence
    ("1234567", NUMBER),
    ("123 4567", NUMBER),
    ("4111 1111 1111 1112", NUMBER),  # fails the card check, still too long to keep
]

SENTENCES = [
    "my ird is {} can I use the chat assistant",
    "{}",
    "what about client {}?",
    "({}) privacy",
    "email {}, then call",
    "Patient {}: can AI triage them",
]

KEPT = [
    "2025",
    "AI strategy 2024 2025",
    "work programme 2019-2024",
    "published 2025-03-01",
    "review due 01-03-2025",
    "I-07 deliverables",
    "phase 2 of I-03",
    "top 10 tools for letters",
    "$1,000,000 innovation fund",
    "ISO 27001 and ISO/IEC 42001",
    "GPT-4o and Llama 3.1 70B",
    "privacy impact assessment",
    "case 12345",
    "section 9(2)(a) of the OIA",
    "0800 numbers for the contact centre",
    "chat@ work",
]


@pytest.mark.parametrize("template", SENTENCES)
@pytest.mark.parametrize(("identifier", "label"), IDENTIFIERS)
def test_each_identifier_is_replaced_by_its_kind_wherever_it_stands(identifier: str, label: str, template: str) -> None:
    text = template.format(identifier)
    redacted = redact(text)
    assert redacted == template.format(label)
    assert identifier not in redacted


@pytest.mark.parametrize("text", KEPT)
def test_years_dates_document_numbers_and_short_numbers_are_kept(text: str) -> None:
    assert redact(text) == text


def test_several_identifiers_in_one_comment_all_go() -> None:
    comment = "Ring me on 021 555 0199 or jo@example.org, IRD 49-091-850, NHI ZZZ0016, card 4111 1111 1111 1111"
    assert redact(comment) == f"Ring me on {PHONE} or {EMAIL}, IRD {IRD}, NHI {NHI}, card {CARD}"


def test_redacting_twice_changes_nothing_more() -> None:
    text = "call 09 123 4567 about ZZZ0016 in 2025"
    assert redact(redact(text)) == redact(text) == f"call {PHONE} about {NHI} in 2025"
