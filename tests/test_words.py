from gait.words import counted, noun


def test_a_count_agrees_with_its_noun():
    assert counted(1, "cut") == "1 cut"
    assert counted(0, "cut") == "0 cuts"
    assert counted(3, "foot off") == "3 foot offs"
    assert counted(2, "time", "times") == "2 times"
    assert noun(1, "frame") == "frame" and noun(4, "frame") == "frames"
