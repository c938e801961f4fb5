"""Round 27 v: the GPU working as root and failing as the user, in German, Russian, Portuguese,
Spanish, French (device_nodes_langs). Texts written for the test, with the near-misses: sudo changing
another program's rights (pip), both failing, a question, no GPU named.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

PERMS = "device_node_permissions"


@pytest.mark.parametrize("text", [
    "Als normaler Benutzer ist torch.cuda.is_available() False, mit sudo funktioniert es.",
    "От обычного пользователя torch.cuda.is_available() возвращает False, а через sudo работает.",
    "Com usuário normal torch.cuda.is_available() dá False, mas com sudo funciona.",
    "Con mi usuario torch.cuda.is_available() devuelve False, pero con sudo funciona.",
    "Avec sudo CUDA fonctionne, en tant qu'utilisateur normal torch.cuda.is_available() renvoie False.",
])
def test_root_works_user_fails(text):
    assert PERMS in findings(text)


@pytest.mark.parametrize("text", [
    "Mit sudo pip install funktioniert es, ohne sudo nicht (für cuda).",
    "Als normaler Benutzer ist torch.cuda.is_available() False, mit sudo auch False.",
    "Con mi usuario torch.cuda.is_available() devuelve False, ¿con sudo funciona?",
    "Als normaler Benutzer ist es False, mit sudo funktioniert es.",
])
def test_root_works_user_fails_near_misses(text):
    assert PERMS not in findings(text)
