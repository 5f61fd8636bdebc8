def nottest(func):
    """Mark a function as not a test, as nose.tools.nottest does (unittest ignores the mark)."""
    func.__test__ = False
    return func
