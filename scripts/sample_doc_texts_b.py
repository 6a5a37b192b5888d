"""Texts of the sample Word, HTML and plain-text documents written by make_sample_docs.py.

The markup is described in sample_doc_texts_a.py.
"""

from __future__ import annotations

from datetime import date

from sample_doc_model import SampleDoc

DEEPFAKES_GUIDANCE = SampleDoc(
    path="guidance/deepfakes-and-synthetic-media.docx",
    meta={
        "title": "Deepfakes and synthetic media: guidance for agencies",
        "kind": "guidance",
        "agency": "GCDO",
        "focus_area": "Safe and responsible AI",
        "initiative": "I-06",
        "published": date(2026, 6, 15),
        "review_by": date(2027, 6, 30),
        "status": "current",
        "tags": [
            "deepfakes",
            "synthetic media",
            "impersonation",
            "voice cloning",
            "generated images",
            "labelling",
            "misinformation",
        ],
        "summary": "How agencies should label AI-generated images, audio and video they produce, and "
        "how to prepare for and respond to fake media that impersonates the agency or "
        "its people.",
        "related": [
            "guidance/ai-incident-response.md",
            "guidance/transparency-automated-decisions.md",
            "guidance/maori-data-and-ai.md",
            "guidance/plain-language-ai-notices.html",
        ],
    },
    body="""
# Purpose

Generative AI can now produce images, voices and video that most people cannot tell from real
recordings. This creates two kinds of risk for agencies. The first is in the agency's own use:
synthetic media published by government without clear labelling can mislead people and erode
trust, even when the intent is harmless. The second comes from others: criminals and
mischief-makers can impersonate ministers, chief executives or frontline staff to defraud the
public or spread false information.

This guidance is for communications teams, digital teams, security teams and anyone who commissions
images, audio or video. It applies to all public service agencies.

# Using synthetic media in your own work

## When it is acceptable

Synthetic media can be useful and appropriate, for example:

- illustrations for web pages and reports where no photo exists or a photo would intrude on privacy;
- a synthetic voice reading a public notice in several languages, where the script has been
  checked by people;
- a training video showing a scenario that would be unsafe or impractical to film.

## What you must not do

- Do not create realistic images, audio or video of a real, identifiable person without their
  informed, written consent, and never of a member of the public.
- Do not create synthetic depictions of ministers or elected representatives.
- Do not generate images that could be mistaken for evidence of real events, such as a flood, an
  accident or a protest.
- Do not generate images of Māori cultural practices, moko, taonga or wāhi tapu. These carry
  meaning and tikanga that generative models do not understand, and their generation may breach
  the cultural and intellectual property interests of iwi and hapū.

## Labelling

Label every piece of synthetic or substantially AI-altered media your agency publishes. The label
should be visible where people see the content, not only in metadata. Suggested wording: "This
image was created using AI." For audio: "This message uses a computer-generated voice." Where the
tool supports it, also keep the content credentials (provenance metadata) embedded in the file.
See the plain-language AI notices guidance for more wording.

# Preparing for impersonation

## Reduce the risk

- Agree with senior leaders and spokespeople how the agency will confirm a genuine statement, for
  example by always publishing major announcements on the agency's website.
- Tell the public, in your scam warnings, that the agency will never ask for payment or passwords
  by phone, video call or voice message.
- Use call-back procedures for any request to move money or change bank details, even when the
  request appears to come from a senior leader by voice or video.
- Limit the amount of high-quality audio and video of senior staff that is not needed for public
  communication.

## Spot the signs

People should be suspicious of unexpected urgent requests, unusual payment instructions, and media
that appears only on social platforms and not on official channels. Visual flaws such as odd
hands, mismatched earrings, poor lip sync or flat voices are becoming rarer and should not be
relied on.

# Responding to a deepfake

## First hours

1. Preserve the evidence: copies of the content, links, account names and time found.
2. Notify your security team and communications lead, and log it as an AI incident.
3. Decide quickly whether to issue a public correction. If the content is spreading or could cause
   harm, a short factual statement on official channels is usually better than silence.
4. Report the content to the platforms where it appears, using their impersonation reporting routes.
5. If money or personal information may have been lost, advise the people affected and refer the
   matter to the police.

## Afterwards

Review what happened, whether your verification arrangements worked, and whether staff need more
awareness. Share lessons through the AI Hub so other agencies can learn from them.

## Support for staff

Being the subject of a deepfake can be distressing, especially when the content is sexual or
demeaning. Offer the person affected immediate support through your employee assistance programme,
involve them in decisions about the response, and do not circulate the content internally more than
is necessary.

See also: AI incident response; Transparency about automated decisions; Māori data and AI;
Plain-language AI notices.
""",
)

DATA_RETENTION_GUIDANCE = SampleDoc(
    path="guidance/data-retention-for-ai-training.docx",
    meta={
        "title": "Keeping and disposing of data used to train AI models",
        "kind": "guidance",
        "agency": "Department of Civic Records",
        "focus_area": "Safe and responsible AI",
        "initiative": "I-06",
        "published": date(2024, 5, 13),
        "review_by": date(2026, 5, 31),
        "status": "current",
        "tags": ["data retention", "disposal", "training data", "fine-tuning", "records", "privacy", "embeddings"],
        "summary": "Explains how long to keep data used to train, fine-tune or evaluate AI models, how "
        "models and embeddings count as records, and how to dispose of them safely.",
        "related": [
            "guidance/records-management-ai.md",
            "guidance/privacy-impact-assessment-ai.md",
            "guidance/maori-data-and-ai.md",
            "guidance/testing-monitoring-evaluation.md",
        ],
    },
    body="""
# Who this is for

This guidance is for data scientists, information managers, privacy officers and project leads in
agencies that train, fine-tune or evaluate AI models using agency data. It explains what to keep,
for how long, and how to get rid of it safely. It was prepared by the Department of Civic Records
with the GCDO.

# The basic rule

Keep training data only as long as you need it for a purpose you can name, and keep the records
that let you explain what a model was trained on for as long as the model, or decisions it
influenced, might be questioned.

These two needs pull in different directions. Privacy principles favour deleting personal
information once it is no longer needed. Accountability favours keeping enough to reconstruct how a
model behaved. The answer is usually to keep documentation and a small, protected reference set,
and to delete bulk copies.

# What counts as a record

## Data sets

Copies of data extracted from operational systems for training are records in their own right.
They need an owner, a classification, a documented purpose and a disposal date set when they are
created. Do not create training copies "just in case".

## Models and derived data

A trained or fine-tuned model can contain traces of its training data and, in some cases, reproduce
it. Treat model weights, embeddings and search indexes built from agency data as carrying the same
classification and privacy obligations as the source data. Deleting the source data does not
remove personal information that has been absorbed into a model.

## Documentation

Keep model cards, data descriptions, evaluation results, approvals and the assurance pack. These
are the records that let the agency respond to complaints, reviews and requests under the Official
Information Act years later.

# Retention periods

## Suggested periods

Use the following as a starting point and confirm them against your agency's approved disposal
schedule:

- Bulk training data extracts: delete within 12 months of the model's last retraining, or sooner if
  the purpose ends.
- Evaluation and test sets: keep for the life of the model plus two years, so that later versions
  can be compared.
- Model weights: keep for the life of the model plus the period during which decisions it
  influenced can be challenged, commonly seven years for decisions about entitlements.
- Documentation and approvals: keep for at least ten years after the model is retired.
- Prompt and output logs from generative AI tools: as set out in Records management for
  AI-assisted work.

## Māori data

Where training data includes Māori data, agree retention and disposal with the iwi, hapū or Māori
organisations concerned before the data is used. Some communities may ask for data to be returned
rather than destroyed, or for disposal to follow particular tikanga. Record these agreements with
the data set.

# Disposal

## How to dispose

1. Confirm the disposal is authorised under your schedule and that no legal hold applies.
2. Delete all copies, including in notebooks, scratch storage, cloud buckets and backups, and in
   any supplier environments.
3. For bought services, obtain written confirmation of deletion from the supplier.
4. Record what was disposed of, when and by whom.

## Common mistakes

- Forgetting copies in personal workspaces and shared drives.
- Deleting the documentation along with the data, leaving the model unexplainable.
- Assuming a supplier deleted data at contract end without asking for confirmation.

See also: Records management for AI-assisted work; Privacy impact assessments for AI; Māori data
and AI; Testing, monitoring and evaluation of AI systems.
""",
)

INDUCTION_CHECKLIST = SampleDoc(
    path="training/ai-induction-checklist.docx",
    meta={
        "title": "AI induction checklist for new staff and managers",
        "kind": "training",
        "agency": "GCDO",
        "focus_area": "AI workforce",
        "initiative": "I-13",
        "published": date(2025, 3, 3),
        "review_by": date(2027, 3, 31),
        "status": "current",
        "tags": ["induction", "onboarding", "new starters", "checklist", "managers", "first week", "AI basics"],
        "summary": "A checklist for managers and new staff covering what a new public servant needs "
        "to know, do and be set up with before using AI tools at work.",
        "related": [
            "training/ai-foundations-course.md",
            "training/prompting-essentials.md",
            "training/ai-champions-network.md",
            "guidance/generative-ai-official-information.md",
            "guidance/security-classification-ai-tools.md",
        ],
    },
    body="""
# How to use this checklist

Managers go through this checklist with each new team member during their first month. It makes
sure nobody starts using AI tools at work without knowing the rules, and that everyone knows where
to get help. Tick each item when done and keep the completed checklist with the person's induction
record. Experienced staff moving between agencies should also complete it, because approved tools
and local rules differ.

# First week

## Know the rules

- Read your agency's AI use policy, or the summary on the intranet.
- Read Using generative AI with official information (about 15 minutes).
- Understand the security classification rules: which information may go into which tool. Ask your
  manager to walk through two or three examples from your own work.
- Know that free consumer AI tools and personal accounts must not be used for official information.

## Get set up

- Check which marketplace tools your agency has approved, and request access to the ones your role
  needs.
- Make sure you can find the AI Hub and the marketplace from the intranet.
- Find out who your team's AI champion is, if you have one.

# First month

## Learn

- Complete the AI Foundations course (about 90 minutes online).
- If you will use the secure chat assistant, complete Prompting Essentials before requesting access.
- Managers: if you lead a team, book a place on AI for Leaders within your first six months.

## Practise safely

- Try the approved assistant on a low-risk task with your manager or champion, such as summarising
  a public document.
- Practise checking an output: find at least one error or unsupported statement in an AI draft and
  correct it.
- Learn how to save prompts and AI-assisted drafts in your records system, and when you must.

## Know what to do when something goes wrong

- Know how to report an AI incident, such as sensitive information entered into the wrong tool or a
  harmful output.
- Know who to ask when you are unsure: your manager, your champion, or the privacy and security
  teams.

# Sign-off

## Manager confirmation

The manager confirms that the staff member has completed the items above, understands the
information rules for AI tools, and knows how to get help. Both sign and date the checklist.

## Te ao Māori considerations

Teams that work with Māori communities or Māori data should also introduce new staff to Māori data
and AI, and to the agency's expectations on tikanga, kaitiakitanga and engagement with iwi and hapū,
before they use AI tools with that information.

See also: AI Foundations course; Prompting Essentials; AI champions network; Security
classifications and AI tools.
""",
)

PLAIN_LANGUAGE_NOTICES = SampleDoc(
    path="guidance/plain-language-ai-notices.html",
    meta={
        "title": "Writing plain-language notices about AI use",
        "kind": "guidance",
        "agency": "GCDO",
        "focus_area": "Customer and partnerships",
        "initiative": "I-10",
        "published": date(2025, 8, 18),
        "review_by": date(2027, 8, 31),
        "status": "current",
        "tags": ["transparency", "notices", "plain language", "disclosure", "public trust", "chatbots", "letters"],
        "summary": "How to tell the public, in clear everyday words, when and how your agency uses AI, "
        "with example wording for websites, chatbots, letters and forms.",
        "related": [
            "guidance/transparency-automated-decisions.md",
            "guidance/accessibility-inclusion-ai.md",
            "standards/ai-use-register-standard.md",
            "guidance/deepfakes-and-synthetic-media.docx",
        ],
    },
    body="""
# Why notices matter

People have a right to know when a government agency is using AI in a way that affects them. Being
open about it builds trust, helps people decide how to engage, and lets them question an outcome.
Notices only work if people read and understand them, so they must be short, plain and placed where
people will see them.

This guidance helps communications and service teams write those notices. It complements
Transparency about automated decisions, which covers explaining individual decisions in depth.

# When you need a notice

Give a notice whenever AI:

- talks to the public directly, such as a chatbot or a voice assistant;
- helps produce content the public reads or hears, where AI had a substantial role;
- informs a decision or an action about a person, such as prioritising their application;
- analyses information people give you in a way they would not expect.

You do not need a notice for routine internal uses that do not affect the public, such as spell
checking or summarising internal meeting notes.

# How to write a notice

## Principles

- Say what the AI does, in one sentence, using everyday words.
- Say what a person does: who checks, who decides.
- Say how to reach a person or ask questions.
- Avoid technical terms such as model, algorithm or machine learning unless you explain them.
- Put the notice where it is needed: at the start of a chatbot conversation, beside a form, or at the
  end of a letter. Do not bury it in a privacy statement.
- Offer the notice in te reo Māori and other languages your audience uses, translated and checked
  by people.

## Example wording

- Chatbot: "Kia ora, I'm a computer assistant. I can answer general questions using information on
  our website. I can't see your personal records. Type 'person' at any time to talk to our team."
- Letter: "We used a computer tool to help write this letter in plain language. A staff member
  checked it before it was sent."
- Application process: "We use a computer system to help sort applications so urgent ones are seen
  first. A person makes every decision about your application."
- Web image: "This image was created using AI."

## Test your notice

Ask five people who are not from your team to read the notice and tell you what it means. If they
cannot explain who makes the decision, rewrite it.

# Checklist

- The notice is in plain language and under 50 words.
- It says what the AI does and what people do.
- It says how to contact a person.
- It appears where people will see it, at the right moment.
- It is accessible, including to screen reader users.
- It matches your AI use register entry.

See also: Transparency about automated decisions; Accessibility and inclusion in AI services; AI
use register standard; Deepfakes and synthetic media.
""",
)

CHATBOT_ACCESSIBILITY_REVIEW = SampleDoc(
    path="case-studies/chatbot-accessibility-review.html",
    meta={
        "title": "Accessibility review of a licensing questions chatbot",
        "kind": "case-study",
        "agency": "Land Transport Licensing Authority",
        "focus_area": "Customer and partnerships",
        "initiative": "I-10",
        "published": date(2026, 7, 27),
        "review_by": date(2027, 7, 31),
        "status": "current",
        "tags": ["accessibility", "chatbot", "screen readers", "WCAG", "disabled people", "user testing", "pilot"],
        "summary": "How a licensing authority found and fixed accessibility barriers in its pilot "
        "chatbot by testing with disabled users before and after launch.",
        "problem": "A pilot chatbot answering driver licensing questions passed automated checks but "
        "was hard or impossible to use for people using screen readers, keyboards or "
        "magnification.",
        "approach": "The authority ran moderated tests with 14 disabled users, fixed the barriers with "
        "the platform provider, and added an accessible hand-off to a person.",
        "outcome": "Task completion by screen reader users rose from 3 of 8 to 7 of 8, and the platform "
        "provider made the fixes available to all its customers.",
        "tools_used": ["marketplace/public-chatbot-platform.md"],
        "related": [
            "guidance/accessibility-inclusion-ai.md",
            "guidance/testing-monitoring-evaluation.md",
            "guidance/transparency-automated-decisions.md",
            "guidance/plain-language-ai-notices.html",
        ],
    },
    body="""
# Summary

This is an illustrative example. The Land Transport Licensing Authority is a fictional agency.

The authority piloted a chatbot on its website to answer common questions about driver licences:
renewals, eyesight requirements, what to bring to a test. Before launch, the chatbot passed the
automated accessibility checks in the platform's test suite. Testing with disabled people showed a
different picture: most screen reader users could not complete a simple task. The authority delayed
the public launch by five weeks to fix the problems.

# What testing found

## Method

Fourteen people took part in one-hour moderated sessions, in person and remotely: eight screen
reader users, three keyboard-only users, two people using screen magnification and one person with
a cognitive impairment. Each tried three tasks, such as finding out what documents to bring to a
licence test.

## Barriers

- New chatbot messages were not announced to screen readers, so users did not know an answer had
  arrived.
- Keyboard focus jumped back to the top of the page after each message.
- The chat window could not be enlarged and covered content when the page was magnified to 200%.
- Answers included long paragraphs and links labelled only "here".
- Quick-reply buttons were images without text alternatives.
- A 10-minute inactivity timeout closed the conversation without warning, which affected people who
  type slowly.

# What changed

## Fixes

- Messages are now placed in a live region so screen readers read each answer once it is complete.
- Focus stays in the message box after sending.
- The chat opens as a full page on small screens and high zoom, and can be resized.
- The answer prompt was changed so replies use short sentences and lists, and links describe their
  destination.
- Buttons have text labels, and the timeout warns users and lets them extend the session.
- A "talk to a person" option is always visible and works by keyboard, offering a call-back or a
  text relay service as well as the contact centre phone line.

## Results

In retesting, seven of eight screen reader users completed all tasks, against three of eight
before. Keyboard and magnification users completed every task. The platform provider built the
fixes into its product for all customers, and the GCDO added the test findings to its assessment of
the platform.

# Lessons

- Automated checks catch perhaps a third of accessibility problems; they are not enough for
  conversational interfaces.
- Test with disabled people early, and pay them for their time.
- Make sure people can always reach a human, by more than one channel.
- Write accessibility requirements into the pilot agreement so the provider commits to fixing issues.

See also: Accessibility and inclusion in AI services; Testing, monitoring and evaluation of AI
systems; Plain-language AI notices.
""",
)

AI_GLOSSARY = SampleDoc(
    path="guidance/ai-glossary.txt",
    meta={
        "title": "Glossary of AI terms and acronyms",
        "kind": "guidance",
        "agency": "GCDO",
        "focus_area": "Common use tools",
        "initiative": "I-01",
        "published": date(2024, 3, 11),
        "review_by": date(2027, 3, 31),
        "status": "current",
        "tags": ["glossary", "definitions", "acronyms", "terminology", "jargon"],
        "summary": "Plain-language definitions of AI terms and acronyms used across the AI Hub, "
        "including LLM, RAG, PIA, GCDO and OIA.",
        "related": [
            "standards/public-service-ai-framework.md",
            "guidance/prompting-official-work.md",
            "guidance/privacy-impact-assessment-ai.md",
            "guidance/maori-data-and-ai.md",
        ],
    },
    body="""
# About this glossary

This glossary explains terms and acronyms used on the AI Hub. Definitions are written for public
servants without a technical background. Terms are in alphabetical order within each section.

# Acronyms

## AI - artificial intelligence

Computer systems that perform tasks usually thought to need human intelligence, such as
understanding language, recognising images or making predictions.

## GCDO - Government Chief Digital Officer

The system leader responsible for digital government. The GCDO leads the Public Service AI Work
Programme and runs the AI Hub and the AI marketplace.

## LLM - large language model

A type of AI model trained on very large amounts of text to predict the next word. LLMs power chat
assistants and can write, summarise and translate text, but can also produce fluent statements that
are false.

## OCR - optical character recognition

Technology that turns images of printed or handwritten text, such as scanned forms, into
machine-readable text.

## OIA - Official Information Act

The law giving people the right to request official information held by agencies. Prompts, drafts
and outputs from AI tools can be official information.

## PIA - privacy impact assessment

A structured assessment of how a project or system collects, uses and protects personal information,
and of the privacy risks and how to reduce them. A PIA is expected before an AI system processes
personal information.

## RAG - retrieval-augmented generation

A technique where an AI system first searches a trusted collection of documents for passages
relevant to a question, then asks a language model to write an answer using only those passages.
RAG helps answers stay grounded in approved sources and lets them cite those sources.

## SRO - senior responsible owner

The senior person accountable for an AI system, its risk rating and its assurance.

## WCAG - Web Content Accessibility Guidelines

The international standard for making web content accessible to disabled people.

# Terms

## Algorithm

A set of rules or steps a computer follows to solve a problem or reach a result. Not all algorithms
involve AI.

## Bias

Systematic error that leads an AI system to produce worse or unfair results for some groups of
people, often because of gaps or patterns in the data it learned from.

## Embedding

A list of numbers that represents the meaning of a piece of text or an image, used for searching by
meaning rather than exact words.

## Fine-tuning

Further training of an existing model on a smaller, specialised data set to adapt it to a task.

## Generative AI

AI that creates new content - text, images, audio, video or code - in response to instructions.

## Hallucination

When a generative AI system produces content that is false or not supported by its sources but
presents it as fact.

## Human in the loop

A design in which a person reviews, approves or can override an AI system's output before it takes
effect.

## Māori data sovereignty

The principle that Māori have rights and interests in data about Māori people, language, culture,
resources and environments, and should have authority over how that data is collected, used and
protected. Related concepts include kaitiakitanga (guardianship) and mana motuhake
(self-determination).

## Model

The result of training an AI system on data: the learned patterns it uses to produce outputs.

## Prompt

The instruction or question a user gives a generative AI tool.

## Prompt injection

An attack in which hidden instructions in a document, web page or message cause an AI system to
ignore its intended rules.

## Synthetic media

Images, audio or video created or substantially altered by AI; realistic fakes of real people are
often called deepfakes.

## Training data

The data used to teach a model. Its quality and coverage strongly shape how the model behaves.

See also: Public Service AI Framework; Prompting for official work; Privacy impact assessments for
AI; Māori data and AI.
""",
)

CALL_CENTRE_FORECASTING_NOTES = SampleDoc(
    path="case-studies/call-centre-forecasting-notes.txt",
    meta={
        "title": "Forecasting contact-centre demand: project notes",
        "kind": "case-study",
        "agency": "Office of Housing Assistance",
        "focus_area": "Customer and partnerships",
        "initiative": "I-10",
        "published": date(2024, 6, 24),
        "review_by": date(2026, 6, 30),
        "status": "current",
        "tags": [
            "forecasting",
            "contact centre",
            "call volumes",
            "rostering",
            "machine learning",
            "workforce planning",
            "lessons learned",
        ],
        "summary": "Working notes from a housing agency's project to forecast weekly call volumes so it "
        "could roster contact-centre staff better.",
        "problem": "The contact centre rostered staff on last year's volumes and was regularly caught "
        "out by peaks, leading to long waits and abandoned calls.",
        "approach": "Analysts built weekly and daily call forecasts from four years of aggregate call "
        "data in the forecasting toolkit, adding holidays, payment dates and planned "
        "mail-outs as drivers.",
        "outcome": "Forecast error fell from about 14% to 6% a week, average wait times during peaks "
        "fell by a third, and the model is reviewed monthly by the planning team.",
        "tools_used": ["marketplace/forecasting-toolkit.md"],
        "related": [
            "guidance/testing-monitoring-evaluation.md",
            "guidance/build-or-buy-ai.md",
            "standards/ai-use-register-standard.md",
        ],
    },
    body="""
# Context

This is an illustrative example. The Office of Housing Assistance is a fictional agency, and these
notes are written in the style of a project team's working notes.

The contact centre takes about 30,000 calls a week about housing support. Rosters were set six
weeks ahead using the same week last year plus a growth factor. Peaks after policy changes and
around payment dates often caught the centre short-staffed: in the worst weeks average wait times
passed 25 minutes and a fifth of callers hung up.

# What we did

## Data

- Four years of call counts by day and by half-hour, by call type. Aggregate counts only; no caller
  details were used.
- Calendar of public holidays, school holidays and payment dates.
- The communications team's schedule of planned letters, mail-outs and media announcements.

## Modelling

- Used Tidewater Forecast Studio from the AI marketplace, so no new infrastructure was needed.
- Compared seasonal smoothing, regression with calendar drivers and gradient-boosted trees on the
  last 52 weeks held out. Regression with drivers won for weekly forecasts; trees did slightly better
  for the half-hour profile within a day.
- Added mail-outs as a driver: each 10,000 letters sent added roughly 900 calls over the following
  week, more for letters about changes to payments.

## Results

- Weekly forecast error (mean absolute percentage error) fell from about 14% with the old method to
  6%.
- Over the first six months of use, average wait times in peak weeks dropped by about a third and
  abandoned calls fell from 19% to 11% in those weeks.
- Rostering now uses the forecast's upper range for weeks with planned mail-outs.

# Lessons and open issues

- The best single improvement came from talking to the communications team. Knowing when letters go
  out mattered more than the choice of method.
- Shocks are still missed: an unannounced policy change in March produced a spike the model could
  not foresee. We now run a "what if" scenario whenever a policy change is signalled.
- Keep it explainable. Planners trust a forecast they can relate to holidays and mail-outs more than
  an opaque score.
- The model is listed in our AI use register entry, with its owner and monthly accuracy review.
- Next: test whether the same approach works for the walk-in service centres, where data is thinner.

See also: Testing, monitoring and evaluation of AI systems; Build or buy: choosing how to source AI;
AI use register standard.
""",
)

DOCX_DOCS: tuple[SampleDoc, ...] = (DEEPFAKES_GUIDANCE, DATA_RETENTION_GUIDANCE, INDUCTION_CHECKLIST)
HTML_DOCS: tuple[SampleDoc, ...] = (PLAIN_LANGUAGE_NOTICES, CHATBOT_ACCESSIBILITY_REVIEW)
TEXT_DOCS: tuple[SampleDoc, ...] = (AI_GLOSSARY, CALL_CENTRE_FORECASTING_NOTES)
