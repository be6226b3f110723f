"""Everything the gateway itself says (not Rasa): commands, consent, odd input, holding reply.

Kept in one place so it can be reviewed as a whole. Plain text, no markup.
"""

from __future__ import annotations

from bot.content import get_content

# SAFETY_LINE and the texts that end with it (INTRO, CONSENT_PENDING, HELP, HOLDING_REPLY)
# carry emergency numbers, which live only in content/crisis_lines.yml: they are built on
# first use (see ``__getattr__`` at the end).
_INTRO = (
    "Hi, I'm a flare-support assistant for people whose pain comes from an oversensitive "
    "nervous system (fibromyalgia, CRPS, neuropathy, long-lasting back pain and similar).\n\n"
    "What I can do: listen when a flare hits, offer breathing, grounding and pacing "
    "exercises, help you look at scary thoughts about pain, and check in with you in the "
    "evening.\n\n"
    "What I am not: I'm not a doctor or nurse and I can't give medical or medication "
    "advice; your clinician is the person for that. I'm not an emergency service either.\n\n"
)

SAFETY_RECORD_NOTE = (
    "One exception: if you erase your data while a safety worry (for example about harming "
    "yourself) is still waiting for a coach, I keep a short safety note (the time and the "
    "kind of worry, no words from our chat) until a coach has seen it, then erase it too."
)
CONSENT_QUESTION = (
    "Before we start, one question. To help you, I need to keep our conversation, and your "
    "coach can read it. You can download it with /mydata or erase it with /delete at any "
    "time. " + SAFETY_RECORD_NOTE + " Is it okay for me to keep our conversation for your "
    "coach?"
)
CONSENT_YES = "Yes, that's okay"
CONSENT_NO = "No"
CONSENT_DECLINED = (
    "That's completely fine, and I haven't kept anything from this chat. I can't chat "
    "without keeping the conversation, so I'll stay quiet. If you change your mind, just "
    "send /start."
)
_CONSENT_PENDING = (
    "I'd love to help. First I need your answer to the question above about keeping our "
    "conversation.\n\n"
)
INVITE_OK = (
    "Thank you. You're now linked with your coach, {coach}, who can read our conversations "
    "and your check-ins to support you."
)
INVITE_INVALID = (
    "That code didn't work. Please check it with your coach. It can only be used once and "
    "lasts 7 days."
)
ALREADY_CONSENTED = "You've already said yes to keeping our conversation, so we can go straight on."

_HELP = (
    "Just write to me in your own words, for example \"my back is flaring, about a 7\" or "
    "\"I'm scared this means damage\". You can also ask for breathing, grounding or pacing.\n\n"
    "Commands:\n"
    "/start CODE - link with your coach, using the code they gave you\n"
    "/checkin - do the evening check-in now\n"
    "/progress - a chart of your pain and flares, with a short summary\n"
    "/settings - check-in time, time zone, country and the Sunday summary\n"
    "/pause - pause the evening check-ins\n"
    "/resume - resume the evening check-ins\n"
    "/mydata - get a file with everything I keep about you\n"
    "/delete - erase everything I keep about you\n"
    "/stop - stop messages from me until you write again\n\n"
    "I'm not a clinician or an emergency service. "
)

SETTINGS_USAGE = (
    "To change a setting, send one of:\n"
    "/settings time 21:30  (check-in time, 24-hour clock)\n"
    "/settings timezone Europe/London  (your time zone)\n"
    "/settings country GB  (two letters, used to show the right crisis lines)\n"
    "/settings weekly off  (no Sunday summary; weekly on brings it back)"
)
SETTINGS_CURRENT = (
    "Your settings:\ncheck-in time: {time}\ntime zone: {timezone}\ncountry: {country}\n"
    "evening check-ins: {state}\nSunday summary: {weekly}\n\n"
)
SETTINGS_SAVED = "Done: your {what} is now {value}."
WEEKLY_ON = (
    "Done: I'll send you a short summary of your week on Sunday evenings, at your "
    "check-in time."
)
WEEKLY_OFF = (
    "Done: no more Sunday summaries. You can still see your progress any time with "
    "/progress, and send /settings weekly on to get them back."
)
PROGRESS_PICTURE_NAME = "my-progress.png"

PAUSED = "Evening check-ins are paused. Send /resume whenever you'd like them back."
RESUMED = "Evening check-ins are back on, at {time} your time."
STOPPED = (
    "Okay, I won't send you anything more, and evening check-ins are paused. If you write "
    "to me again, I'll answer. Send /resume to get the check-ins back."
)

MYDATA_CAPTION = "Here is everything I keep about you, as a JSON file."
DELETE_QUESTION = (
    "This erases everything I keep about you: our conversation, your flare log, check-ins "
    "and settings. It can't be undone. Erase everything?"
)
DELETE_YES = "Yes, erase everything"
DELETE_NO = "No, keep it"
DELETED = (
    "Everything I kept about you has been erased. Take good care of yourself. If you ever "
    "want to talk again, send /start."
)
_DELETED_SAFETY_KEPT = (
    "Everything I kept about you has been erased, except one small safety note. Earlier you "
    "told me something that worried me, and a coach has not looked at it yet. So that a "
    "person still checks on it, I keep only the time and the kind of worry, with no words "
    "from our conversation, until a coach has seen it; then it is erased too.\n\n"
)
DELETE_CANCELLED = "Okay, nothing was erased."
MYDATA_ABOUT = (
    "Everything the flare-support assistant keeps about you, table by table, including "
    "your conversation as the assistant's language model stored it (events) and your "
    "coach's notes. /delete erases all of it. Only the record of which coach looked at "
    "your data, and when, stays under your pseudonym, with any text they typed removed. "
    + SAFETY_RECORD_NOTE
)

_HOLDING_REPLY = (
    "I've got your message and will answer as soon as I can. I'm having a short technical "
    "hiccup on my side.\n\n"
)
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side and I couldn't answer that. Could you try "
    "saying it another way?"
)

EMPTY_TEXT = "I didn't catch anything there. Tell me in a few words how you're doing?"
TOO_LONG = (
    "Thank you for telling me all of that. It's more than I can take in at once, so I've "
    "only read the first part. If something important came later, please send it as a "
    "separate message."
)
NON_TEXT = {
    "sticker": "Thanks for the sticker! I can only read words, though. How are you doing?",
    "photo": "I can't look at photos, sorry. Could you tell me in words what's going on?",
    "voice": (
        "I can't listen to voice messages, sorry. If typing is hard right now, even a few "
        "words like \"flare, 7, back\" are enough."
    ),
    "audio": "I can't play audio, sorry. Could you tell me in words what's going on?",
    "video": "I can't watch videos, sorry. Could you tell me in words what's going on?",
    "document": "I can't open files, sorry. Could you tell me in words what's going on?",
    "location": (
        "I don't use locations. If you need help urgently, please call your local emergency "
        "number."
    ),
    "contact": "I don't use contacts. Could you tell me in words what's going on?",
    "other": "I can only read text messages. Could you tell me in words what's going on?",
}
EDITED = (
    "I saw you edited a message. I can only answer new messages, so please send the "
    "corrected version as a new one."
)
FORWARDED = (
    "I can only answer what you write to me yourself. If that forwarded message is about "
    "how you're feeling, tell me in your own words?"
)
GROUP_CHAT = (
    "Hi! I only talk in private chats, to keep conversations about health private. Please "
    "message me directly. I'll leave this group now."
)
UNKNOWN_COMMAND = "I don't know that command. Type /help to see what I can do."
STALE_BUTTON = "That choice is no longer active. Just tell me how you're doing."
BUTTON_CHOSEN = "\n\n> {title}"

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "What this assistant is and is not"),
    ("help", "How to use the assistant"),
    ("checkin", "Do the evening check-in now"),
    ("progress", "Your pain trend and flares in a chart"),
    ("settings", "Check-in time, time zone, country, Sunday summary"),
    ("pause", "Pause evening check-ins"),
    ("resume", "Resume evening check-ins"),
    ("mydata", "Get a file with everything kept about you"),
    ("delete", "Erase everything kept about you"),
    ("stop", "Stop messages until you write again"),
)


_ENDS_WITH_SAFETY_LINE = {
    "SAFETY_LINE": "",
    "INTRO": _INTRO,
    "CONSENT_PENDING": _CONSENT_PENDING,
    "HELP": _HELP,
    "HOLDING_REPLY": _HOLDING_REPLY,
    "DELETED_SAFETY_KEPT": _DELETED_SAFETY_KEPT,
}


def __getattr__(name: str) -> str:
    """The texts that end with the safety line, its numbers from ``crisis_lines.yml``."""
    if name in _ENDS_WITH_SAFETY_LINE:
        return _ENDS_WITH_SAFETY_LINE[name] + get_content().safety_line
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
