"""scrub_secrets skips its patterns for texts that cannot match them: the same results as searching."""

from envcheck import snapshot


def _searched(text: str) -> str:
    text = snapshot.SECRET_VALUE.sub(snapshot.SECRET_PLACEHOLDER, text)
    return snapshot._SECRET_ASSIGNMENT.sub(lambda m: m.group(1) + snapshot.SECRET_PLACEHOLDER, text)


def test_prefilter_changes_nothing():
    texts = [
        "export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz", "my_api_key: abc123", "nothing here at all",
        "token=", "Authorization: Bearer eyJabcdefghij.eyJabcdefghij.abcdefghij",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "AKIAABCDEFGHIJKLMNOP",
        "ghp_" + "a" * 36, "sk-proj-" + "b" * 24, "xoxb-1234567890-abc", "AIza" + "c" * 35,
        "glpat-" + "d" * 20, "nvapi-" + "e" * 24, "github_pat_" + "f" * 30,
        "MY_\u212aEY=hunter2",  # the Kelvin sign: re.IGNORECASE takes it for k
        "pa\u017f\u017fword=hunter2",  # long s: taken for s
        "CUDA_VISIBLE_DEVICES=0", "",
    ]
    for text in texts:
        assert snapshot.scrub_secrets(text) == _searched(text), text
    assert snapshot.scrub_secrets("MY_\u212aEY=hunter2") != "MY_\u212aEY=hunter2"
