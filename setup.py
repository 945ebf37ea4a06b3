"""Builds the compiled walks (``scraper/extractors/_walk.pyx``) against lxml's public C API.
Where they cannot be built (no C compiler), the package installs all the same and runs their
pure-Python twins in ``scraper/extractors/walk.py``, which give the same output."""
from setuptools import Extension, setup


def compiled_walks() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    walk = Extension("scraper.extractors._walk", ["scraper/extractors/_walk.pyx"],
                     include_dirs=lxml.get_include(), optional=True)  # a failed build is no failed install
    return cythonize([walk], language_level=3, quiet=True)


setup(ext_modules=compiled_walks())
