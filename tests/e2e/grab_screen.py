"""Save the whole X screen ($DISPLAY) as a PNG: what a person at the desk would see."""

import sys

from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
screen = app.primaryScreen()
if screen is None or not screen.grabWindow(0).save(sys.argv[1]):
    sys.exit("could not grab the screen")
