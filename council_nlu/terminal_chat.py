"""A terminal chat with the running assistant over the REST channel (what `./scripts/chat.sh` runs).

Buttons are listed with numbers: type the number to press one. Ctrl-D or "/quit" ends the chat.
"""
from __future__ import annotations

import argparse
import uuid

import requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    args = parser.parse_args()
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: list = []
    print("Type a message (Ctrl-D to stop).")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            print()
            return
        if text == "/quit":
            return
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            answer = requests.post(args.url, json={"sender": sender, "message": text}, timeout=30)
            answer.raise_for_status()
        except requests.RequestException as error:
            print(f"(the assistant is not answering: {error}. Is ./scripts/run.sh running?)")
            continue
        buttons = []
        for message in answer.json():
            if message.get("text"):
                print(f"bot> {message['text']}")
            for button in message.get("buttons", []):
                buttons.append(button)
                print(f"     [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    main()
