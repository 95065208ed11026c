"""Save what a person at the desk sees on $DISPLAY as a PNG, cropped to the windows.

Xvfb has no window manager: the window sits at the top left on a black root.  The picture is
cut at the last non-black pixel of the top row and the left column.
"""

import sys

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
screen = app.primaryScreen()
if screen is None:
    sys.exit("no screen")
image = screen.grabWindow(0).toImage()
black = QColor(0, 0, 0)
right = next(
    (x for x in range(image.width() - 1, -1, -1) if image.pixelColor(x, 12) != black), image.width() - 1
)
bottom = next(
    (y for y in range(image.height() - 1, -1, -1) if image.pixelColor(12, y) != black), image.height() - 1
)
if not image.copy(0, 0, right + 1, bottom + 1).save(sys.argv[1]):
    sys.exit("could not save the screenshot")
