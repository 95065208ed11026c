"""Only what pyproject.toml cannot say (all the rest is there).

The customer's fixed layout keeps ``resources/`` (rules, scripts, templates, translations) at the
top of the repository; the wheel carries it inside the package as ``app/resource_files``, found at
run time through importlib.resources (`app.resources`).  pyproject's ``packages.find`` cannot add a
package that lives in another folder, hence the list here.  A wheel is refused without its
compiled translations: without them an installed desk would silently speak only English.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

RESOURCES = "app.resource_files"  # mapped to resources/ in pyproject.toml ([tool.setuptools.package-dir])


class BuildPyWithTranslations(build_py):
    def run(self) -> None:
        if not self.editable_mode:  # an editable install reads resources/ where it is
            catalogues = sorted(Path("resources/translations").glob("*.ts"))
            missing = [str(ts.with_suffix(".qm")) for ts in catalogues if not ts.with_suffix(".qm").is_file()]
            if missing:
                raise SystemExit(f"compile the translations first (make translations): {', '.join(missing)}")
        super().run()


# Namespace discovery: the migrations and the resource folders hold no __init__.py but are shipped.
setup(
    packages=[
        *find_namespace_packages(include=["app", "app.*"]),
        RESOURCES,
        *(f"{RESOURCES}.{folder}" for folder in find_namespace_packages(where="resources")),
    ],
    cmdclass={"build_py": BuildPyWithTranslations},
)
