"""Restricted documents added to the portal's tiny corpus (tests/app_support.py), for the tests of
who sees what: each has words, a title, a file name and metadata values found nowhere else, so a
leak of any of them shows as that text on a page, in a count or in a command's output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.app_support import write_corpus
from tests.helpers import make_pdf, write_md, write_sidecar

GROUP_A, GROUP_B, PROCUREMENT = "group-a", "group-b", "procurement"


@dataclass(frozen=True)
class Restricted:
    doc_id: str
    audience: tuple[str, ...]  # empty: editors only (the audience could not be read)
    title: str
    secret: str  # a word only this document's text holds
    agency: str  # a metadata value only this document has


RESTRICTED = (
    Restricted(
        "restricted/pricing.md", (PROCUREMENT,), "Quoxbridge supplier rate card", "quoxbridge", "Pricing Bureau"
    ),
    Restricted("restricted/case-a.md", (GROUP_A,), "Velmora pilot lessons", "velmora", "Agency Alpha"),
    Restricted("restricted/plan-b.md", (GROUP_B,), "Tranquor rollout plan", "tranquor", "Agency Bravo"),
    Restricted("restricted/draft.md", (), "Zelphine draft guidance", "zelphine", "Draft Desk"),
    Restricted("restricted/briefing.pdf", (GROUP_A, GROUP_B), "Orvandel briefing", "orvandel", "Joint Unit"),
    # The same text as the public RECORDS guidance, filed again for one group: the public one
    # must never name it as a copy.
    Restricted("restricted/records-copy.md", (GROUP_B,), "Keeping records (group B copy)", "", "Records Office"),
)
RECORDS = "guidance/records.md"
# Long enough (50 words or more) for the two files to count as copies of one text.
RECORDS_BODY = (
    "# Keeping records of AI use\n\n"
    "Every agency keeps a record of each decision an AI system helped to make, with the prompt, the "
    "output, the person who checked it and what they changed. Records are kept for seven years, like "
    "other decision records, and the information manager can show them to an auditor on request. "
    "A record that cannot be found is treated as a decision made without any check at all.\n"
)
# What a restricted document's page would show; none of it may reach someone outside its audience.
SECRET_WORDS = [r.secret for r in RESTRICTED if r.secret]


def write_restricted_corpus(corpus: Path) -> None:
    """The portal's tiny corpus plus RESTRICTED: a tool, a case study, an initiative, a guidance
    draft whose audience cannot be read, a PDF for two groups, and a restricted copy."""
    write_corpus(corpus)
    pricing, case, plan, draft, pdf, copy = RESTRICTED
    write_md(
        corpus,
        pricing.doc_id,
        f"# Rates\n\nThe {pricing.secret} rate card lists what each supplier charges per seat.\n",
        title=pricing.title,
        kind="tool",
        agency=pricing.agency,
        focus_area="Secret focus",
        audience=list(pricing.audience),
        provider="Quoxbridge Ltd",
    )
    write_md(
        corpus,
        case.doc_id,
        f"# Pilot\n\nThe {case.secret} pilot used a chat assistant to triage privacy requests.\n",
        title=case.title,
        kind="case-study",
        agency=case.agency,
        audience=case.audience[0],
    )
    write_md(
        corpus,
        plan.doc_id,
        f"# Rollout\n\nThe {plan.secret} rollout plan phases the shared chat assistant in.\n",
        title=plan.title,
        kind="initiative",
        agency=plan.agency,
        initiative="I-09",
        audience=[plan.audience[0]],
    )
    write_md(
        corpus,
        draft.doc_id,
        f"# Draft\n\nThe {draft.secret} draft on privacy is not finished.\n",
        title=draft.title,
        kind="guidance",
        agency=draft.agency,
        audience=[{"group": "not a name"}],
    )
    path = corpus / pdf.doc_id
    path.write_bytes(make_pdf([f"The {pdf.secret} briefing covers privacy risks of chat assistants."]))
    write_sidecar(path, title=pdf.title, kind="standard", agency=pdf.agency, audience=list(pdf.audience))
    public = {"kind": "guidance", "agency": copy.agency}
    write_md(corpus, RECORDS, RECORDS_BODY, title="Keeping records of AI use", **public)
    write_md(corpus, copy.doc_id, RECORDS_BODY, title=copy.title, **public, audience="group-b")
