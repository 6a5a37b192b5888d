"""Texts of the sample PDF documents written by scripts/make_sample_docs.py.

Each body uses a small line-based markup that make_sample_docs.py parses:

* ``# Heading``  - a level 1 heading (a chapter; in PDFs it starts a new page)
* ``## Heading`` - a level 2 heading
* ``- item``     - a bulleted list item;  ``1. item`` - a numbered list item
* ``| a | b |``  - a table row (the first row of a table is its header)
* any other lines form a paragraph; paragraphs are separated by blank lines

The document title is not part of the body: it comes from the metadata.
"""

from __future__ import annotations

from datetime import date

from sample_doc_model import SampleDoc

AI_ASSURANCE_FRAMEWORK = SampleDoc(
    path="standards/ai-assurance-framework.pdf",
    meta={
        "title": "AI Assurance Framework",
        "kind": "standard",
        "agency": "GCDO",
        "focus_area": "Safe and responsible AI",
        "initiative": "I-07",
        "published": date(2025, 7, 21),
        "review_by": date(2027, 7, 31),
        "status": "current",
        "tags": [
            "assurance",
            "risk assessment",
            "risk tiers",
            "go-live approval",
            "independent review",
            "AI lifecycle",
        ],
        "summary": "Sets out how agencies rate the risk of an AI system and what assurance "
        "evidence, review and sign-off each risk tier needs before and after it goes live.",
        "related": [
            "standards/public-service-ai-framework.md",
            "standards/responsible-ai-principles.md",
            "guidance/testing-monitoring-evaluation.md",
            "guidance/privacy-impact-assessment-ai.md",
            "guidance/bias-fairness-assessment.md",
            "standards/ai-use-register-standard.md",
        ],
    },
    subtitle="Version 1.0 - a standard under the Public Service AI Framework",
    body="""
# 1. Purpose and scope

This standard tells agencies how much checking an AI system needs before it is used, and who
must be satisfied that the checking was done. It turns the Public Service AI Framework and the
responsible AI principles into concrete, proportionate steps. Low-risk uses should move quickly
with light paperwork; uses that affect people's rights, money or safety get deeper scrutiny and
independent review.

The standard applies to every AI system a public service agency builds, buys, configures or
trials, including generative AI tools from the AI marketplace, machine learning models built by
agency analysts, and AI features switched on inside existing software. It does not apply to
personal productivity features that process no official information, such as spell checking.

## Who must follow it

- Chief executives, who remain accountable for AI used by their agency.
- The senior responsible owner (SRO) of each AI system, who owns its risk rating and assurance plan.
- Chief information security officers, privacy officers and chief data stewards, who provide
  specialist review.
- Project and product teams, who produce the evidence.

## Relationship to other requirements

Assurance under this standard does not replace existing obligations. Security certification and
accreditation, privacy impact assessments (PIAs), procurement rules and records management duties
all continue to apply. The standard is designed so that the same evidence can be reused: a PIA
completed for the privacy officer is also part of the assurance pack.

Every system rated Tier 2 or above must also be recorded in the agency's AI use register entry,
as set out in the AI use register standard.

# 2. Rating the risk

The SRO rates the system against six questions, early in design and again before go-live. Each
answer is scored low, medium or high. The highest single score usually sets the tier, but the SRO
may raise the tier if several medium scores combine into a larger concern.

1. Impact on people: could the system's output change what a person receives, owes or is allowed
   to do, or how they are treated by the state?
2. Autonomy: does a person review every output before it has an effect, only a sample, or none?
3. Information: what is the highest classification of information processed, and does it include
   personal information or Māori data?
4. Scale: how many people or decisions will the system touch each year?
5. Reversibility: if the system is wrong, how easily can the harm be noticed and put right?
6. Novelty: is the technique well understood in this setting, or new to the agency?

The table below describes the four tiers and gives examples.

| Tier | Description | Examples | Minimum assurance |
| 1 - Minimal | Internal productivity use, human checks all output, no personal information | Drafting an internal email with an approved assistant; alt text for public images | Self-assessment checklist; manager sign-off |
| 2 - Moderate | Supports staff work with official or personal information; a person acts on every output | Summarising consultation submissions; search over case procedures | Assurance plan; PIA if personal information; security review; SRO sign-off |
| 3 - High | Influences decisions about individuals, or public-facing at scale | Triage scores that order a work queue; chatbot answering the public | Full assurance pack; bias and fairness assessment; independent peer review; chief executive delegate sign-off |
| 4 - Very high | Makes or strongly determines decisions with legal effect, or safety-critical | Automated eligibility decisions; fraud risk scores that trigger investigation | All Tier 3 steps plus external independent review, public transparency statement and GCDO notification |

Systems that would be Tier 4 and operate without any human review of individual decisions should
be redesigned. The framework's expectation is that a person remains accountable for every decision
with legal effect on an individual.

## Māori data and Te Tiriti o Waitangi

Where a system processes Māori data, or its outcomes are likely to affect Māori differently from
other groups, the rating must record how the agency has engaged with Māori on the design, and how
it will uphold its obligations under Te Tiriti o Waitangi. A system cannot be rated Tier 1 if it
processes data about iwi, hapū or whānau in identifiable form.

# 3. Assurance through the life of the system

Assurance is not a single gate. Evidence is gathered and checked at four points.

## Design

- Write a one-page problem statement saying why AI is needed and what happens without it.
- Complete the risk rating and share it with the privacy officer and security team.
- Identify the people affected and how they will be told AI is involved.
- For Tier 3 and 4, plan the bias and fairness assessment and name the independent reviewer.

## Build or procure

- Record training and evaluation data sources, their quality and any known gaps.
- For bought products, check the supplier accepts the AI contract clauses, especially those on
  data use, audit and model changes.
- Test accuracy on data that represents the people the system will serve, including groups that
  are small in number.

## Go-live

- Confirm every item in the assurance pack for the tier is complete.
- Run a pilot or parallel run where the tier is 3 or 4, comparing system outputs with human
  decisions.
- Obtain sign-off at the level the tier requires. The sign-off record names the person, the date
  and any conditions.

## Operation and retirement

- Monitor accuracy, drift, complaints and overrides against thresholds agreed at go-live.
- Reassess the tier when the system, its data or its use changes, and at least every two years.
- When retiring a system, keep the records needed to explain past decisions and delete models and
  data according to the disposal schedule.

# 4. The assurance pack and independent review

The assurance pack is the collection of evidence for one system. A template is available on the
AI Hub. Teams should keep it current rather than assembling it at the last minute.

| Pack item | Tier 1 | Tier 2 | Tier 3 | Tier 4 |
| Problem statement and risk rating | Yes | Yes | Yes | Yes |
| Privacy impact assessment | If needed | If personal information | Yes | Yes |
| Security review | Use approved tool | Yes | Yes | Yes |
| Bias and fairness assessment | No | Recommended | Yes | Yes |
| Human oversight design | Brief note | Yes | Yes | Yes |
| Test and evaluation report | No | Yes | Yes | Yes |
| Independent review | No | No | Peer (another agency or team) | External |
| Transparency statement | No | Register entry | Register entry | Register entry and public statement |

## Independent review

For Tier 3, review is done by a qualified person outside the project team, for example an analyst
from another agency through the cross-agency peer review pool coordinated by the GCDO. For Tier 4,
the agency commissions an external reviewer with no commercial interest in the system. Reviewers
report to the SRO and the agency's risk and assurance committee, and their findings, together with
the agency's response, form part of the pack.

## Review of this standard

The GCDO will review this standard within two years of publication, drawing on the AI use register
and on the findings of independent reviews carried out under it.
""",
)

AI_CONTRACT_CLAUSES = SampleDoc(
    path="guidance/ai-contract-clauses.pdf",
    meta={
        "title": "Model contract clauses for AI products and services",
        "kind": "guidance",
        "agency": "GCDO",
        "focus_area": "Common use tools",
        "initiative": "I-02",
        "published": date(2024, 9, 16),
        "review_by": date(2027, 3, 31),
        "status": "current",
        "tags": [
            "procurement",
            "contracts",
            "suppliers",
            "vendor terms",
            "data use",
            "audit rights",
            "exit and deletion",
        ],
        "summary": "Explains the clauses agencies should put in contracts for AI products and services, "
        "covering use of agency data, location, security, model changes, audit, "
        "ownership of outputs and exit.",
        "related": [
            "guidance/procuring-ai-tools.md",
            "guidance/build-or-buy-ai.md",
            "guidance/maori-data-and-ai.md",
            "guidance/security-classification-ai-tools.md",
            "standards/ai-assurance-framework.pdf",
        ],
    },
    subtitle="Guidance for procurement and commercial teams",
    body="""
# Why AI contracts need extra clauses

Most agencies buy AI through standard software-as-a-service terms. Those terms were written for
conventional software and leave gaps that matter for AI: whether the supplier may learn from the
agency's data, whether the model behind the service can change without notice, and whether the
agency can find out how an output was produced. This guidance describes the clauses the GCDO
recommends and explains the reasons for each, so commercial teams can negotiate with confidence.

The clauses are the basis of every agreement behind the AI marketplace. An agency buying a tool
listed on the marketplace benefits from terms already negotiated by the GCDO; an agency buying
outside the marketplace should seek the same protections.

## How to use this guidance

- Read it alongside Procuring AI tools, which covers the process of going to market.
- Share the clause summary with suppliers early, ideally in the request for proposal, so that
  unacceptable terms surface before evaluation rather than after.
- Where a supplier will not agree to a clause, record the reason, the residual risk and who
  accepted it. Some clauses are essential and should not be traded away; they are marked below.

# The clauses

## 1. Use of agency data (essential)

The supplier may use agency data only to provide the service to the agency. It must not use
prompts, documents, outputs, logs or derived data to train, fine-tune or evaluate models for any
other customer or for its own products. This applies equally to sub-processors. Aggregated usage
statistics that contain no content may be allowed if they are described in the contract.

## 2. Location and sovereignty (essential for IN-CONFIDENCE and above)

The contract names the countries where data is stored and processed, including backups and
support access, and requires notice before any change. For SENSITIVE information, processing
should be onshore unless the GCDO has approved an alternative. Where the service handles Māori
data, the agency should consider additional commitments agreed with the relevant iwi or Māori
partners about location, access and use, reflecting Māori data sovereignty.

## 3. Security

The supplier maintains controls equivalent to those required for the classification of the data,
provides independent assurance reports annually, and permits the agency's security team to review
evidence. Prompt injection, data leakage between customers and model theft should be covered in
the supplier's threat model.

## 4. Incident notification (essential)

The supplier notifies the agency within 24 hours of becoming aware of an incident affecting agency
data or the behaviour of the service, including harmful outputs at scale. The notice describes
what happened, the data affected and the steps taken. The agency can then follow its AI incident
response process.

## 5. Model and service changes

The supplier gives at least 30 days' notice of material changes to the underlying model, its
version or its safety settings, and keeps the previous version available for a transition period
where feasible. A change that alters outputs noticeably can invalidate the agency's testing, so
the agency needs time to re-test.

## 6. Transparency and explainability

The supplier provides documentation of the model's intended use, known limitations, training
data sources at a category level, and evaluation results, and helps the agency explain individual
outputs where the service supports decisions about people. This supports the agency's duty to give
reasons for decisions and to respond to requests under the Official Information Act.

## 7. Audit and inspection (essential)

The agency, its auditors, or an independent reviewer appointed by the agency may
inspect records, logs and controls relevant to the service, on reasonable notice. Without this
clause the agency cannot verify the other clauses.

## 8. Ownership of inputs and outputs

The agency owns its inputs and the outputs generated for it, and the supplier grants any licence
needed to use outputs without restriction. The supplier warrants that it has the rights to the
model and indemnifies the agency against third-party claims that the service infringes
intellectual property.

## 9. Exit, return and deletion (essential)

On termination, the supplier returns agency data in a usable, documented format and then deletes
it, including from backups within a stated period, and confirms deletion in writing. Fine-tuned
models, embeddings and indexes built from agency data count as agency data for this purpose.

# Negotiation tips and red flags

Suppliers often accept these clauses when the reasons are explained. In marketplace negotiations
the clauses most often resisted were audit rights and the training prohibition for free or
low-cost tiers. Practical points from those negotiations:

- Ask which product tier the terms apply to. Enterprise tiers often exclude training on customer
  data while free tiers do not.
- Read the supplier's acceptable use policy and privacy notice as well as the main agreement; they
  can contain data-use permissions that override what the sales team says.
- Check the list of sub-processors and how changes to it are notified.
- Price the exit: ask what format data is returned in and how long deletion takes.

Treat the following as red flags that usually mean the product cannot be used with official
information:

- the supplier reserves the right to use customer content to improve its services, with no opt-out;
- data may be processed in any country the supplier chooses;
- there is no right of audit and no independent assurance report;
- the supplier can change or withdraw the model at any time without notice.

The marketplace entry for Ledgerleaf FormSense is an example of a product declined largely for
these reasons.

# Clause checklist

| Clause | Essential? | What to look for |
| 1. Use of agency data | Yes | No training or fine-tuning on agency data, including by sub-processors |
| 2. Location and sovereignty | Yes, IN-CONFIDENCE and above | Named countries; notice of change; onshore for SENSITIVE |
| 3. Security | Yes | Controls for the classification; annual independent assurance |
| 4. Incident notification | Yes | Notice within 24 hours, including harmful outputs |
| 5. Model changes | Recommended | 30 days' notice; previous version kept for transition |
| 6. Transparency | Recommended | Model documentation; help explaining outputs |
| 7. Audit and inspection | Yes | Agency and independent reviewers may inspect |
| 8. Ownership | Recommended | Agency owns inputs and outputs; IP indemnity |
| 9. Exit and deletion | Yes | Data returned in usable form; written confirmation of deletion |

See also: Procuring AI tools; Build or buy: choosing how to source AI; Māori data and AI; the AI
Assurance Framework.
""",
)

BENEFIT_LETTERS_EVALUATION = SampleDoc(
    path="case-studies/benefit-letters-evaluation.pdf",
    meta={
        "title": "Evaluation: AI-assisted plain-language rewriting of benefit letters",
        "kind": "case-study",
        "agency": "Benefits and Entitlements Service",
        "focus_area": "Customer and partnerships",
        "initiative": "I-10",
        "published": date(2025, 11, 3),
        "review_by": date(2027, 11, 30),
        "status": "current",
        "tags": [
            "plain language",
            "letters",
            "readability",
            "customer communications",
            "generative AI",
            "evaluation",
            "call volumes",
        ],
        "summary": "Evaluation of a six-month trial in which letter writers used a generative AI "
        "assistant to rewrite standard benefit letters in plain language, with every "
        "letter checked by a policy reviewer.",
        "problem": "Standard letters about benefit payments were hard to understand, and many "
        "recipients phoned the contact centre to ask what a letter meant.",
        "approach": "Letter writers used the secure chat assistant to draft plain-language versions "
        "of 40 template letters; policy and legal reviewers checked every draft, and the "
        "new letters were tested with clients before release.",
        "outcome": "Average reading age fell from about 15 to 11, calls about the rewritten letters "
        "fell by 18%, and the rewriting took roughly half the staff time of previous "
        "manual reviews.",
        "tools_used": ["marketplace/secure-chat-assistant.md"],
        "related": [
            "guidance/generative-ai-official-information.md",
            "guidance/human-oversight-accountability.md",
            "guidance/accessibility-inclusion-ai.md",
            "guidance/testing-monitoring-evaluation.md",
            "guidance/prompting-official-work.md",
        ],
    },
    subtitle="Illustrative example: the agency and figures in this evaluation are fictional.",
    body="""
# Summary

This is an illustrative example. The Benefits and Entitlements Service is a fictional agency and
the figures are invented to show what an evaluation of this kind can look like.

Between February and July 2025 a team of six letter writers used Harbourline Assist, the secure
chat assistant from the AI marketplace, to rewrite 40 of the agency's most frequently sent template
letters. Every AI-assisted draft was checked by a policy reviewer and, for letters that state a
legal obligation, by the legal team. The rewritten letters were tested with clients and then
introduced in stages.

Main findings:

- The average reading age of the 40 letters fell from 15.2 years to 11.4 years.
- Calls to the contact centre that mentioned one of the rewritten letters fell by 18% compared with
  the same months of the previous year, after allowing for overall call volume.
- Staff time per letter fell from an average of 6.5 hours to 3.1 hours.
- Reviewers found an error of meaning in 1 in 7 first drafts, most often a softened or omitted
  obligation. All were corrected before release.

The evaluation team recommends continuing the approach for the remaining 160 template letters,
with the review steps unchanged.

# Background and approach

## The problem

The agency sends around 2.4 million letters a year about payments, changes in circumstances,
debts and reviews. Many templates had grown over a decade of policy changes. Client research in
2024 found that half the people interviewed could not say what a letter wanted them to do, and
the contact centre estimated that one in five calls was about understanding a letter.

## What the team did

1. Selected the 40 templates with the highest combined volume and call rate.
2. Wrote a prompt pattern, refined over two weeks, asking the assistant to keep every obligation,
   date and amount, use short sentences and active voice, put the action the reader must take first,
   and avoid jargon listed in the agency's style guide.
3. Letter writers pasted each template, with placeholders instead of any client details, and
   edited the assistant's draft.
4. A policy reviewer compared each draft line by line with the original, using a checklist of the
   letter's legal and policy content.
5. Drafts were tested with 48 clients in short interviews, including Māori and Pacific clients,
   disabled clients and people with English as a second language.
6. New letters were released in four batches, so call data could be compared.

No client information was entered into the assistant. Templates are UNCLASSIFIED, well within the
tool's IN-CONFIDENCE ceiling.

## Human oversight

The agency treated the assistant as a drafting aid only. Letter writers remained the authors, and
the policy reviewer's sign-off was required before any letter went to the legal team or into the
letter system. The prompts, drafts and review comments were saved in the records system, because
the agency expected requests under the Official Information Act about how its letters were
written.

# Results

| Measure | Before | After | Change |
| Average reading age (40 letters) | 15.2 | 11.4 | -3.8 years |
| Average words per letter | 612 | 438 | -28% |
| Calls mentioning a rewritten letter (per 10,000 letters sent) | 212 | 174 | -18% |
| Staff hours per letter (drafting and review) | 6.5 | 3.1 | -52% |
| Clients who could state the required action (interview test) | 54% | 83% | +29 points |
| Complaints about letter wording (six months) | 37 | 22 | -41% |

## Errors found in review

Reviewers logged 41 issues in the first drafts of the 40 letters. The most serious were six cases
where the draft dropped or softened an obligation, for example turning "you must tell us within 10
days" into "please let us know". Other issues included changed dates in examples, an invented
contact phone number, and tone that clients found too casual for letters about debt. The pattern
confirms that AI drafts of official letters need line-by-line review against the source.

## What clients said

Clients liked letters that started with what they needed to do and by when. Some Māori clients
said they would welcome a greeting and sign-off in te reo Māori, such as "Kia ora" and "Ngā mihi",
which the agency has since added to several templates after advice from its Māori advisory group.
Pacific clients asked for translated versions of the most important letters; this is being
considered separately with human translators.

# Lessons and recommendations

## Lessons

- The prompt matters less than the review. Later drafts improved mainly because writers learned
  what to check, not because of prompt changes.
- Keep an obligations checklist per letter. It made review faster and more consistent.
- Test with clients. Two letters that scored well on reading age still confused clients because of
  the order of information.
- Record the process. Keeping prompts and drafts made it easy to answer a formal complaint
  about how one letter had been worded.

## Recommendations

1. Continue rewriting the remaining 160 templates using the same process.
2. Keep the policy review step and the obligations checklist mandatory.
3. Add a short note to the agency's website explaining that AI tools help draft its letters and
   that every letter is checked by staff.
4. Re-measure reading age and call rates six months after each batch.
5. Share the prompt pattern and checklist through the AI Hub for other agencies.

See also: Using generative AI with official information; Human oversight and accountability;
Accessibility and inclusion in AI services; Plain-language AI notices.
""",
)

WORKFORCE_CAPABILITY_SURVEY = SampleDoc(
    path="training/ai-workforce-capability-survey-2025.pdf",
    meta={
        "title": "Public Service AI Workforce Capability Survey 2025: results",
        "kind": "other",
        "agency": "GCDO",
        "focus_area": "AI workforce",
        "initiative": "I-13",
        "published": date(2025, 12, 8),
        "review_by": date(2026, 12, 31),
        "status": "current",
        "tags": ["survey", "AI skills", "capability", "confidence", "training needs", "workforce planning", "2025"],
        "summary": "Results of the 2025 survey of 9,400 public servants on how they use AI, how "
        "confident they feel, and what training and support they want.",
        "related": [
            "training/ai-foundations-course.md",
            "training/prompting-essentials.md",
            "training/ai-for-leaders.md",
            "training/ai-champions-network.md",
            "training/ai-induction-checklist.docx",
        ],
    },
    subtitle="Results report for initiative I-13, AI capability uplift",
    body="""
# About the survey

The AI Workforce Capability Survey asks public servants how they use AI at work, how confident
they are, and what would help them use it well. It was run for the first time in 2024 as a
baseline; this report covers the second round, run over four weeks in September and October 2025.
The results guide the AI capability uplift initiative (I-13), the AI champions network (I-14) and
agencies' own workforce plans.

## Method

- An online questionnaire of 28 questions, taking about 12 minutes.
- Sent to all staff in 31 participating agencies; 9,412 people responded, a response rate of 22%.
- Results are weighted by agency size, role group and age so they better reflect the whole
  workforce. Figures below are weighted percentages.
- The margin of error for whole-of-service figures is about plus or minus 1 percentage point.
  Results for small groups are less precise and are shown only where at least 100 people
  responded.
- Free-text comments were analysed by two researchers who agreed a coding frame; no AI tool was
  used to code them.

## Respondents

Forty-one percent of respondents work in policy, advisory or corporate roles, 38% in operational
and frontline service roles, 12% in digital and data roles and 9% in management. Eleven percent
identified as Māori and 8% as Pacific peoples, close to their share of the public service.

# Key results

## Use of AI at work

| Measure | 2024 | 2025 |
| Used an AI tool for work at least once in the last month | 31% | 58% |
| Use AI tools weekly or more | 12% | 34% |
| Used an agency-approved tool (of those using any tool) | 44% | 79% |
| Used a personal or free consumer tool for work in the last month | 19% | 11% |
| Aware their agency has guidance on AI use | 39% | 72% |

The rise in approved-tool use follows the wider rollout of the secure chat assistant. Use of
personal consumer tools for work has fallen but not disappeared; the main reasons given were that
the approved tool was not yet available in the person's agency, or that a specific feature such as
image generation was missing.

## What people use AI for

The most common uses were drafting and rewriting text (71% of users), summarising documents (58%),
searching for information (41%), preparing for meetings (27%) and writing or checking code (9%,
rising to 48% among digital and data staff).

## Confidence and skills

| Statement (agree or strongly agree) | 2024 | 2025 |
| I feel confident using AI tools in my work | 28% | 46% |
| I know what information I can and cannot put into an AI tool | 35% | 64% |
| I can recognise when an AI output is wrong or made up | 33% | 49% |
| I know how to record AI-assisted work for official information purposes | 14% | 31% |
| My manager supports me to learn about AI | 40% | 55% |

Confidence was lower among frontline operational staff (37%) than policy staff (52%), and lower
among staff aged over 55 (34%) than under 35 (58%). Knowing what information may go into a tool
improved most, which suggests the security classification guidance and induction materials are
reaching people. Record keeping remains the weakest area.

# Training and support needs

## What people asked for

Respondents chose up to three kinds of support they would find most useful:

| Support | Chosen by |
| Short practical examples for my type of role | 57% |
| Clear rules on what is allowed | 49% |
| Hands-on workshops | 38% |
| A named person in my team to ask (for example an AI champion) | 33% |
| Online self-paced modules | 29% |
| Guidance on checking AI outputs for accuracy | 27% |

## Concerns

Comments most often raised accuracy and "hallucinations" (mentioned by 1,140 people), job security
(820), the environmental footprint of AI (410), and fairness of AI used in decisions about the
public (390). Māori respondents more often raised concerns about Māori data being used without
consent and about AI-generated te reo Māori of poor quality; several asked that mātauranga Māori be
protected and that iwi be involved in decisions about AI that affects their communities.

## Training completion

By October 2025, 14,600 people had completed the AI Foundations course and 8,900 the Prompting
Essentials module. Respondents who had done either course were almost twice as likely to agree
they could recognise a wrong output (63% against 34%).

# Implications and next steps

1. Expand role-specific examples, particularly for frontline and operational roles, where
   confidence is lowest. The capability uplift team will publish 12 role-based scenario packs in
   2026.
2. Make record keeping part of the induction checklist and the AI Foundations course, and ask
   agencies to add a simple "AI-assisted" marker to their records systems.
3. Grow the AI champions network so that every team of 50 or more has access to a champion.
4. Work with the Māori data and AI guidance authors and Māori staff networks on how the programme
   responds to concerns about Māori data and te reo Māori.
5. Give leaders material on discussing job security honestly with their teams, through the AI for
   Leaders programme.
6. Repeat the survey in September 2026, keeping the core questions unchanged so trends can be
   tracked.

See also: AI Foundations course; Prompting Essentials; AI for Leaders; AI champions network; AI
induction checklist.
""",
)

ANNUAL_PROGRESS_REPORT = SampleDoc(
    path="programme/annual-progress-report-2025.pdf",
    meta={
        "title": "Public Service AI Work Programme: annual progress report 2025",
        "kind": "other",
        "agency": "GCDO",
        "published": date(2026, 2, 23),
        "review_by": date(2027, 2, 28),
        "status": "current",
        "tags": ["annual report", "progress", "work programme", "initiatives", "milestones", "risks", "2025"],
        "summary": "Reports progress in 2025, the first full year of the two-year Public Service AI "
        "Work Programme, across its 15 initiatives and four focus areas, with risks and "
        "priorities for 2026.",
        "related": [
            "programme/work-programme-overview.md",
            "standards/public-service-ai-framework.md",
            "standards/ai-assurance-framework.pdf",
            "training/ai-workforce-capability-survey-2025.pdf",
        ],
    },
    subtitle="Report of the Government Chief Digital Officer, February 2026",
    body="""
# Foreword

The Public Service AI Work Programme set out to help agencies use artificial intelligence safely,
well and together, rather than each agency solving the same problems alone. This report describes
what was achieved in 2025, the programme's first full year, and what remains to be done in 2026.

Three results stand out. First, a secure generative AI assistant is now available to staff in 27
agencies, and most AI use reported by public servants is through approved tools rather than
personal accounts. Second, the Public Service AI Framework, the responsible AI guidance suite and
the AI Assurance Framework give agencies a shared, proportionate way to decide what checking an AI
system needs. Third, more than 14,000 public servants completed foundation training.

Progress has not been even. Cross-agency data sharing for AI has moved slowly, and demand for the
innovation lab has exceeded its capacity. These are priorities for 2026.

# Progress by initiative

The table shows the status of each initiative at 31 December 2025. "On track" means the
initiative is expected to deliver its agreed outputs by the end of the programme in December 2026.

| Initiative | Focus area | Status | Key 2025 result |
| I-01 AI Hub | Common use tools | On track | Hub launched in April; 210 guidance, tool and case study pages; 18,000 monthly visitors |
| I-02 AI marketplace | Common use tools | On track | 10 tools assessed: 8 approved (5 with conditions), 1 under assessment, 1 not approved |
| I-03 Secure generative AI assistant | Common use tools | Complete (phase 1) | Available in 27 agencies; 41,000 active users |
| I-04 Shared AI platform patterns | Common use tools | On track | Search and OCR patterns published; two agencies deploying |
| I-05 Public Service AI Framework | Safe and responsible AI | Complete | Framework published and endorsed by chief executives |
| I-06 Responsible AI guidance suite | Safe and responsible AI | On track | 16 guidance documents published; 3 in draft |
| I-07 AI assurance and risk assessment | Safe and responsible AI | On track | Assurance Framework published July; peer review pool of 24 reviewers |
| I-08 AI use register | Safe and responsible AI | At risk | Standard published; only 19 of 31 agencies have complete entries |
| I-09 AI innovation and accelerator lab | Customer and partnerships | On track | 9 experiments completed; 3 moving to production |
| I-10 Customer-facing AI services | Customer and partnerships | On track | Chatbot pilot live; letter rewriting evaluation published |
| I-11 Industry and academic partnerships | Customer and partnerships | On track | 2 university research partnerships; supplier forum held twice |
| I-12 Cross-agency data sharing for AI | Customer and partnerships | Delayed | Legal framework for shared training data still under development |
| I-13 AI capability uplift | AI workforce | On track | 14,600 completed AI Foundations; survey repeated |
| I-14 AI champions network | AI workforce | On track | 380 champions in 29 agencies |
| I-15 AI leadership and workforce planning | AI workforce | On track | AI for Leaders delivered to 620 senior leaders |

# Focus area highlights

## Common use tools

The AI marketplace now gives agencies a single place to find assessed tools and their conditions
of use. Assessment time fell from an average of 16 weeks for the first tools to 9 weeks by the end
of the year, mainly because suppliers now receive the model contract clauses up front. The decision
not to approve one form extraction product, because of offshore processing and reuse of customer
data, was published with reasons so agencies do not repeat the work.

## Safe and responsible AI

Guidance now covers the main questions agencies ask: what information can go into which tool, how
to assess privacy, how to explain automated decisions, and how to respond to AI incidents. Guidance
on Māori data and AI was developed with Māori data experts and staff networks, and puts Te Tiriti o
Waitangi obligations, kaitiakitanga and the right of iwi and hapū to decide about their data at the
centre of agency practice. The AI use register is behind schedule, because many agencies found it
harder than expected to identify AI features inside existing software.

## Customer and partnerships

The innovation lab completed nine short experiments with agencies, including summarising
consultation submissions and forecasting contact-centre demand. The public-facing chatbot pilot
with a licensing authority taught useful lessons about accessibility, described in the chatbot
accessibility review. Cross-agency data sharing for AI is delayed while legal and Te Tiriti
questions about shared training data are worked through.

## AI workforce

The 2025 capability survey showed confidence rising from 28% to 46%, with the biggest gains in
understanding what information may be used with AI tools. Frontline staff remain less confident
than policy staff, and record keeping is still poorly understood.

# Risks, spending and priorities for 2026

## Key risks

- Uneven adoption: smaller agencies have less capacity to assess and adopt tools. Mitigation:
  shared assessments through the marketplace and a small-agency support service.
- Incomplete visibility of AI use: the register is incomplete. Mitigation: chief executive
  attestation of register entries by June 2026.
- Supplier changes: model changes by suppliers can undo testing. Mitigation: model change clauses
  in all marketplace agreements, and re-testing guidance.
- Public trust: a poorly handled incident could set back adoption across the service. Mitigation:
  the AI incident response guidance and transparency notices on public-facing services.

## Spending

The programme spent 11.8 million dollars in 2025 against a budget of 12.5 million dollars. The
underspend relates mainly to the delayed data sharing initiative.

## Priorities for 2026

1. Complete the AI use register for all participating agencies.
2. Move the chatbot platform assessment to a decision and publish the result.
3. Deliver role-based training packs for frontline staff.
4. Resolve the legal framework for cross-agency data sharing, with Māori partners.
5. Plan the transition of the AI Hub and marketplace to business-as-usual funding after the
   programme ends in December 2026.

See also: Work programme overview; Public Service AI Framework; AI Assurance Framework; AI
workforce capability survey 2025.
""",
)

PDF_DOCS: tuple[SampleDoc, ...] = (
    AI_ASSURANCE_FRAMEWORK,
    AI_CONTRACT_CLAUSES,
    BENEFIT_LETTERS_EVALUATION,
    WORKFORCE_CAPABILITY_SURVEY,
    ANNUAL_PROGRESS_REPORT,
)
