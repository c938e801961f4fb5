"""A person saying GPU memory stays held by a process that should be gone, in their words.

What the tools print for this is read elsewhere (nvidia-smi's process rows, torch's
"Process N has X memory in use", TensorFlow's ``freeMemory`` at start, vLLM's startup
check). Reports of it are just as often prose, because the tools show it only indirectly:
nvidia-smi lists no process (the holder is a stray DataLoader worker, another PID
namespace, a process killed with ``kill -9`` whose children live on) while its memory column
stays full, and the person finds the holder with ``fuser -v /dev/nvidia*``:

* "after the program finishes, the gpu memory is still occupied by the process", "failed / canceled
  runs appear to not reset the memory on our GPUs and run as PIDs that are not visible on nvidia-smi",
  "VRAM is not released after I kill the script", "a zombie process keeps holding GPU memory";
* "kill主进程显卡不会释放显存", "kill掉进程后显存无法自动释放", "显存一直被占用，nvidia-smi 看不到进程";
* "프로세스를 종료해도 GPU 메모리가 해제되지 않습니다"; "プロセスを終了してもGPUメモリが解放されない";
  "la memoria de la GPU sigue ocupada después de matar el proceso", "der GPU-Speicher wird nach
  dem Beenden nicht freigegeben", "la mémoire GPU n'est pas libérée après avoir tué le processus".

Or another holder closed and the failure gone with it (round 27): "I had Jupyter opened … in another
tab …, after closing it, I didn't receive out of memory issue", "the problem is still there unless I
shutdown the notebook", "关掉另一个notebook就好了", "別のノートブックを閉じたら解決しました", where
memory is named beside it or a failure for memory is in the text; not a habit, a question, advice,
"did not help", another machine's or a time long past.

A sentence must say both that memory is held (not released, still occupied) and that its
process ended or cannot be seen (killed, finished, zombie, no process listed). Questions,
conditions and advice ("how do I free GPU memory?", "you should kill the process that
occupies the memory") say nothing about the machine. The claim is a person's (rank
``STATED``) on the GPU's used memory, failed with a detail that says why, so a pasted table
outranks it; ``rules/held_memory.py`` turns it into a "likely" finding.
"""

from __future__ import annotations

import re

from envcheck.derived.held_memory import CLOSED_DETAIL, FOUND_DETAIL, HELD_DETAIL, SHARED_DETAIL
from envcheck.derived.held_memory_note import HELD_NOTE
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
# "GPU0 memory", "the memory of the GPU0": nvidia-smi's and torch's GPU numbering written on.
_MEMORY = lazy(r"\b(?:gpu\d{0,2}|cuda|video|graphics|device)\s+memory\b|\bvram\b|\bmemory\s+(?:on|of)\s+(?:the\s+|our\s+|my\s+)?"
                     r"(?:gpus?\d{0,2}|cards?)\b|显存|显卡|GPU\s*메모리|그래픽\s*메모리|VRAM|GPU\s*メモリ|ビデオメモリ"
                     r"|\bmemoria\s+(?:de\s+(?:la\s+)?)?(?:gpu|vram|v[ií]deo)\b|\bGPU-Speicher|\bGrafikspeicher"
                     r"|\bm[ée]moire\s+(?:du\s+|de\s+la\s+)?(?:gpu|vid[ée]o)\b"
                     # a GPU with an amount on it: "my GPU still seems to have almost 13GB allocated"
                     r"|\b(?:gpus?|cards?)\b[^.;]{0,40}?\b\d+(?:\.\d+)?\s*(?:[gm]i?b|gigs?)\b"
                     # ... or the amount first: "10GB used on the GPU"
                     r"|\b\d+(?:\.\d+)?\s*(?:[gm]i?b|gigs?)\s+(?:\w+\s+){0,2}(?:on|of|in)\s+(?:the\s+|my\s+)?(?:gpu|card)\b", _I)
_HELD = lazy(
    r"\b(?:is|was|are|were|remains?|remained|stays?|stayed|still)\s+(?:still\s+)?(?:being\s+)?"
    r"(?:occupied|held|taken|allocated|in\s+use|full)\b"
    r"|\bnot\s+(?:being\s+)?(?:released|freed|deallocated|cleared)\b|\bisn'?t\s+(?:released|freed)\b"
    # the run as the subject: "failed runs appear to not reset the memory on our GPUs"
    r"|\b(?:not|never|n't)\s+(?:\w+\s+)?(?:reset|release|free|clear|return)\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:gpu\s+|vram\s+|video\s+)?memory\b"
    r"|\b(?:does|did|do|won'?t|will\s+not|can'?t|cannot|could\s+not|couldn'?t)\s*(?:n'?t|not)?\s+"
    r"(?:get\s+)?(?:released|freed|release|free)\b|\bnever\s+(?:gets?\s+)?(?:released|freed)\b"
    r"|\bkeeps?\s+(?:occupying|holding|using)\b|\bstill\s+(?:occupies|holds|uses|occupying|holding|using)\b"
    # "still seems to have almost 13GB allocated", "has 12 GB used", "allocated by someone"
    r"|\b(?:ha(?:s|ve)|had|shows?|showed)\s+(?:almost\s+|about\s+|around\s+|over\s+|nearly\s+)?\d+(?:\.\d+)?\s*"
    r"(?:[gm]i?b|gigs?)\s+(?:\w+\s+)?(?:allocated|used|occupied|taken|in\s+use)\b"
    r"|\b(?:allocated|occupied|held|used|taken)\s+by\s+(?:someone|something|somebody|an?\s+unknown|another\s+process)\b"
    r"|(?:不|没有?|未|无法)(?:会|能)?(?:被)?(?:自动|马上|及时|正常|完全)?释放|(?:一直|仍然|依然|还|仍)(?:在|是)?(?:被)?占(?:用|着)|占用(?:着)?显存"
    r"|被占用|占用了\s*\d+(?:\.\d+)?\s*[GM]"
    r"|해제되지\s*않|반환되지\s*않|해제가\s*안|(?:계속|여전히)\s*(?:점유|차지)"
    r"|解放されな|解放されず|解放されません|(?:占有|使用)されたまま"
    r"|\bsigue\s+(?:ocupada|en\s+uso|llena)|\bno\s+se\s+libera|\bqueda\s+ocupada|\bcontinua\s+ocupada"
    r"|\bn[ãa]o\s+(?:é|foi)\s+liberada|\bnicht\s+freigegeben|\b(?:bleibt|weiterhin|noch)\s+belegt"
    r"|\bn'est\s+pas\s+lib[ée]r[ée]e|\b(?:reste|toujours)\s+occup[ée]e", _I)
# The process that held it ended, was killed, or is not shown.
_GONE = lazy(
    r"\b(?:after|once|when|even\s+after|even\s+though)\b[^.;]{0,60}?\b(?:finish\w*|end(?:s|ed)?|exit\w*|terminat\w*|"
    r"kill\w*|stop\w*|crash\w*|clos\w*|quit\w*|interrupt\w*|abort\w*|cancel\w*)\b"
    # "failed / canceled Bonito runs", "aborted jobs"
    r"|\b(?:failed|cancel{1,2}ed|aborted|interrupted|killed|crashed)\s+(?:/\s+\w+\s+)?(?:`?\w+`?\s+){0,2}"
    r"(?:runs?|jobs?|processes|trainings?)\b"
    # "run as PIDs that are not visible on nvidia-smi"
    r"|\bnot\s+(?:visible|shown|listed)\s+(?:on|in|by)\s+`?nvidia-smi\b"
    r"|\bkill(?:ed|ing)?\b|\bzombie\b|\bdefunct\b|\borphan\w*\b|\bleft\s*over\b|\bleftover\b|\bstale\b"
    r"|\bctrl\s*\+\s*c\b|\bno\s+(?:running\s+)?process(?:es)?\s+(?:is\s+|are\s+)?(?:shown|listed|visible|found)\b"
    r"|\bno\s+process(?:es)?\s+(?:in|on)\s+nvidia-smi\b|\bfuser\b"
    # "even when I do not have any CrossE processes running", "no processes seem to be using it"
    r"|\b(?:do\s+not|don'?t|didn'?t|did\s+not)\s+have\s+any\s+(?:\w+\s+){0,2}process(?:es)?\s+running\b"
    r"|\bno\s+process(?:es)?\s+(?:seems?\s+to\s+be\s+|is\s+|are\s+)(?:using|holding|occupying)\b"
    r"|\bby\s+(?:someone|somebody|something|an?\s+unknown)\b"
    r"|kill|杀|结束|退出|关闭|中断|终止|僵尸|残留|看不(?:到|见)[^。，,]{0,8}进程|没有(?:任何)?进程|无进程"
    r"|종료|좀비|죽였|죽여도|강제\s*종료|プロセスを(?:終了|kill|停止)|終了して|ゾンビ|落として|停止して"
    r"|\bmat(?:ar|é|ó)\b|\b(?:despu[ée]s|depois)\s+de\b|\bzombi\w*|\bencerr\w*|\bcerr[éeó]\b"
    r"|\bbeend\w*|\babgebrochen\b|\bnach\s+dem\b|\bapr[èe]s\s+avoir\b|\btu[ée]\b", _I)
# A question, a condition, advice or a plan: nothing said about this machine.
_NOT = lazy(r"\?|？|\b(?:if|whether|should|could|would|might|maybe|perhaps|how\s+(?:to|do|can)|"
                  r"you\s+(?:can|need|must|have\s+to)|try|please|make\s+sure)\b"
                  r"|如果|是否|吗|怎么|如何|请|应该|可以用|나요|까요|인가요|하세요|ですか|ますか|ください|場合", _I)


# Other live work said to take the same GPU: "There's another program used a lot of GPU memory",
# "multiple programs are executing on the server by different users", "this was just from me running
# too much at once on my gpu", "显卡被其他程序占用了". A denial ("no other process is using the GPU",
# "nothing else was running"), a question, a guess or advice ("another process may be using it",
# "check whether another job uses the GPU") says nothing about the machine (_NOT, _NO_OTHER).
_SHARED = lazy(
    r"\b(?:another|other|a\s+different|someone\s+else'?s?|other\s+users?'?s?)\s+(?:\w+\s+){0,2}"
    r"(?:programs?|process(?:es)?|jobs?|users?|applications?|apps?|models?|instances?|tasks?|scripts?)\b"
    r"[^.;!?]{0,40}?\b(?:(?:is|was|are|were)\s+)?(?:using|used|occupying|occupied|holding|held|taking|took|eating|ate|"
    r"consuming|consumed|hogging)\b[^.;!?]{0,30}?(?:\bgpus?\b|\bvram\b|\bmemory\b|\bcards?\b)"
    r"|\brunning\s+(?:to{1,2}\s+much|to{1,2}\s+many\s+\w+|(?:two|several|multiple|other)\s+\w+)\s+"
    r"(?:at\s+once|at\s+the\s+same\s+time|simultaneously|in\s+parallel)\s+on\s+(?:my|the|one|a|this)\s+(?:gpu|card)\b"
    r"|(?:其他|别的|其它)(?:的)?(?:任务|进程|程序|用户|人)[^。，,！？]{0,10}占用了?(?:显存|显卡|GPU)"
    r"|(?:显存|显卡|GPU)[^。，,！？]{0,6}被(?:其他|别的|其它)(?:的)?(?:任务|进程|程序|用户|人)占用", _I)
# ... and a tool's own hint ("This happens when other processes are using the GPU memory").
_NO_OTHER = lazy(r"\b(?:no|not|nothing|none|never|without|isn'?t|wasn'?t|aren'?t|weren'?t|may|when(?:ever)?|unless|"
                 r"in\s+case|happens|can\s+be\s+caused)\b|没有|并没|不是|如果|可能", _I)
# After it (review of round 20): the other work on other GPUs than this run's ("other users' jobs are
# using the other GPUs"), or ended before this run ("…, but I killed it and nvidia-smi shows 0MiB").
_NOT_THIS_RUN = lazy(r"\b(?:the\s+)?other\s+(?:\d+\s+)?(?:gpus|cards)\b|\b(?:killed|stopped|closed|ended|terminated|exited)\s+"
                     r"(?:it|them|that|those|the\s+\w+)\b|\bshows?\s+0\s*mib\b", _I)


# A process the person found (in nvidia-smi) taking all or nearly all of the memory (round 25, a thin
# report: "我运行nvidia-smi，发现有个VeCarRecoServer进程，把所有内存基本全吃了"; en "I ran nvidia-smi and found a
# process called X eating almost all the GPU memory"). The process found, not named as the person's own
# run; a question after a comma ("…，请问这个进程是什么呢？") asks what it is, not whether it is there.
_FOUND_PROCESS = lazy(
    r"(?:发现|看到|看见)(?:了)?(?:有)?(?:一)?个[^。，,！？]{0,40}?进程[，,]?\s*(?:把|将)?(?:所有|全部|几乎所有|大部分)?的?"
    r"(?:显存|内存|显卡)?(?:基本|几乎)?(?:全|都|全部)?(?:吃|占|用)(?:了|满|光|完)"
    r"|\b(?:found|discovered|noticed|saw|see|there\s+(?:is|was|'s))\s+(?:a|an|one|some)\s+(?:\w+\s+){0,2}process\b"
    r"(?:\s+(?:called|named))?[^.;!?]{0,40}?\b(?:eating|taking|using|occupying|hogging|eats|takes|uses|occupies|hogs)\s+"
    r"(?:up\s+)?(?:almost\s+|nearly\s+|basically\s+|pretty\s+much\s+)?(?:all|most)\s+(?:of\s+)?(?:the\s+)?"
    r"(?:gpu\s+|vram\s+|video\s+|gpu'?s\s+)?(?:memory|vram)\b", _I)
# Where the memory the found process takes is the GPU's: nvidia-smi named on the line, or GPU memory said.
_GPU_SCOPE = lazy(r"nvidia-smi|nvitop|gpustat|显存|显卡|\bgpu\b|\bvram\b", _I)
# The clause after it saying it is over: "…, killed it and the memory was released", "杀掉后就好了".
_OVER = lazy(r"释放了|正常了|好了|解决了|恢复了|就可以了|\b(?:works?\s+now|freed|released|solved|fixed|resolved)\b", _I)
_CLAUSE_END = lazy(r"[，,。！？!?;；]")
# Another machine or long ago, said anywhere in the sentence ("…, but that was another machine", "last
# year"): sentences.not_here_now reads "on my other server", not these.
_ELSEWHERE = lazy(r"\b(?:another|a\s+different|the\s+other)\s+(?:machine|server|computer|pc|laptop|node|box|host)\b"
                  r"|\blast\s+(?:year|month|week)\b|\b(?:years?|months?)\s+ago\b|另一台|别的机器|去年|以前", _I)
# The run failing for memory, which the found process must stand beside: torch's and TensorFlow's "out of
# memory", "OOM", "CUDA内存不足" / "显存不足" / "显存溢出" in the person's words.
_MEMORY_FAILED = lazy(r"out\s+of\s+(?:gpu\s+|cuda\s+|device\s+)?memory|\boom\b|(?:cuda|gpu)\s*内存(?:不足|不够|溢出)"
                      r"|显存(?:不足|不够|溢出|爆)", _I)


# Another holder of the GPU closed and the failure gone with it (r27h): "I had Jupyter opened (using `jupyter
# notebook` command) in another tab …, after closing it, I didn't receive out of memory issue" (tf-faster-rcnn#7),
# "If I shutdown 1st notebook and run the other one, it won't have the same problem", "the problem is still
# there unless I shutdown the notebook" (keras#5769), "关掉另一个notebook就好了", "把未杀掉的进程手动杀掉就好了".
# The holder: a notebook or its kernel, a tab, a process, a program, an instance of a server or web UI.
_HOLDER = (r"(?:jupyter(?:\s+notebook|\s+lab)?|notebooks?|kernels?|ipython|tabs?|sessions?|process(?:es)?|programs?|"
           r"applications?|apps?|instances?|scripts?|jobs?|web\s*ui|ollama|comfyui|servers?)")
_CLOSE = r"(?:clos(?:e|ed|es|ing)|shut(?:ting)?\s*down|shutdown|kill(?:ed|ing|s)?|stop(?:ped|ping|s)?|quit(?:ting)?|terminat\w+|exit(?:ed|ing)?)"
_CLOSED = lazy(
    # "shutdown the 1st notebook", "closing the other Jupyter tab", "killed the remaining processes"
    rf"\b{_CLOSE}\s+(?:down\s+)?(?:the\s+|that\s+|this\s+|my\s+|all\s+|those\s+|these\s+)?(?:(?:other|first|1st|previous|old|"
    rf"second|running|idle|remaining|leftover|stale|zombie|another)\s+)*(?:\w+\s+)?{_HOLDER}\b"
    # the holder named first, then "closing it": "I had Jupyter opened … after closing it"
    rf"|\b{_HOLDER}\b[^.;!?]{{0,160}}?\b{_CLOSE}\s+(?:it|them)\b"
    r"|(?:关掉|关闭|杀掉|杀死|kill掉|结束)(?:了)?[^。，,！？]{0,12}(?:notebook|进程|程序|kernel|内核|任务)"
    r"|(?:notebook|进程|程序|kernel|内核|任务)[^。，,！？]{0,12}(?:关掉|关闭|杀掉|杀死|kill掉|结束)", _I)
# The same in other languages, the closing told as done by its form: ja "別のノートブックを閉じたら解決しました",
# ko "다른 노트북을 종료하니 잘 됩니다", es "después de cerrar el otro notebook funciona", de "nachdem ich das andere
# Notebook geschlossen habe, funktioniert es", fr "après avoir fermé l'autre notebook, ça fonctionne".
_CLOSED_OTHER = lazy(
    r"(?:ノートブック|カーネル|プロセス|タブ|notebook|jupyter)を?\s*(?:閉じ|終了し|停止し|kill\s*し)(?:たら|た後|てから|ると)"
    r"|(?:노트북|커널|프로세스|탭|notebook|jupyter)[을를]?\s*(?:종료하|닫|끄|껐|kill\s*하)(?:니|고\s*나서|자|었더니|았더니|더니|면)"
    r"|\b(?:cerr(?:ar|é|ando)|mat(?:ar|é|ando)|deten(?:er|iendo)|detuve)\s+(?:el\s+|la\s+|los\s+|las\s+)?(?:otr[oa]s?\s+)?"
    r"(?:notebook|cuaderno|kernel|proceso|programa|instancia)s?\b"
    r"|\b(?:Notebook|Kernel|Prozess|Programm|Jupyter)\w*\b[^.;!?]{0,40}?\b(?:geschlossen|beendet|gekillt|gestoppt)\b"
    r"|\b(?:ferm[ée]\w*|tu[ée]\w*|arr[êe]t[ée]\w*)\s+(?:le\s+|la\s+|l'|les\s+)?(?:autre\s+)?(?:notebook|noyau|kernel|processus|"
    r"programme)s?\b", _I)
# ... the failure gone with it, in the same sentence (not memory "released" after a kill: that is what a
# finished process's memory does, r17h).
_ENDED = lazy(
    r"\b(?:didn'?t|did\s+not|don'?t|doesn'?t|won'?t|no\s+longer|never)\s+(?:get|receive|have|see|hit|show|throw|raise)\s+"
    r"(?:the\s+|any\s+|an?\s+|this\s+)?(?:same\s+)?(?:problem|issue|error|oom|(?:cuda\s+)?out\s+of\s+memory)"
    r"|\bunless\s+(?:I|we)\b|\bonly\s+(?:works?|runs?)\s+(?:after|when|if|once)\b"
    r"|\b(?:works?|worked|runs?|ran)\s+(?:fine|now|again|ok(?:ay)?|normally|well)\b|\b(?:fixed|solved|resolved|disappear\w*|"
    r"went\s+away|(?:was|is)\s+gone)\b|就好了|就可以了|解决了?|正常了|没问题了"
    r"|解決|直り|直った|動きました|動いた|出なくな|해결|잘\s*(?:됩니다|돼요|되었|됐|돌아)|정상"
    r"|\b(?:funciona\w*|se\s+solucion\w*|se\s+resolvi\w*|ya\s+no|funktioniert|behoben|gel[öo]st|fonctionne\w*|r[ée]solu)\b", _I)
# A question, advice, a hedge, or the closing said not to help.
_CLOSED_NOT = lazy(r"[?？]|\b(?:you|should|could|would|might|maybe|perhaps|try|please|whether|(?:did\s*not|didn'?t|doesn'?t|"
                   r"does\s+not)\s+help|no\s+effect|still\s+(?:get|got|gets|have|had|fail\w*|crash\w*|the\s+same|oom|out\s+of))\b"
                   r"|如果|是否|吗|怎么|如何|请|应该|还是不行|没用|ですか|ますか|ください|나요|까요|하세요|\b(?:deber[ií]a|podr[ií]a|sollte|"
                   r"k[öo]nnte|devrais|pourrait|no\s+(?:funciona|se\s+solucion)\w*|sigue|nicht|pas)\b", _I)
# The closing told as done (past tense, a gerund after "after", "once I", "if I", "unless I"), not a habit
# ("I close the notebook every evening and the machine works fine").
_DONE = lazy(rf"\b(?:closed|shut\s*down|shutdown|killed|stopped|quit|terminated|exited|ended)\b|\b(?:after|once|upon)\s+(?:\w+\s+)?"
             rf"(?:closing|shutting|killing|stopping|quitting|terminating|exiting)\b|\b(?:if|unless|when|once|after)\s+(?:I|we)\s+"
             rf"(?:\w+\s+)?{_CLOSE}|关掉|关闭|杀掉|杀死|kill掉|结束", _I)
_HABIT = lazy(r"\b(?:every|always|usually|daily|each|whenever|normally)\b|每次|每天|总是", _I)
_MEMORY_WORD = lazy(r"\bmemory\b|\bvram\b|\boom\b|显存|内存|メモリ|메모리|\bmemoria\b|\bspeicher\b|\bm[ée]moire\b", _I)


# Cheap looks before the patterns (lower-cased): every holder _CLOSED and _CLOSED_OTHER name, and every
# word _ENDED needs.
_HOLDER_LOOKS = ("jupyter", "notebook", "kernel", "ipython", "tab", "session", "process", "program", "app", "instance",
                 "script", "job", "web", "ollama", "comfyui", "server", "进程", "程序", "任务", "内核", "ノートブック", "カーネル",
                 "プロセス", "タブ", "노트북", "커널", "프로세스", "탭", "cuaderno", "proceso", "prozess", "noyau")
_ENDED_LOOKS = ("n't", "did not", "does not", "do not", "will not", "no longer", "never", "unless", "only work", "only run",
                "works ", "work ", "worked ", "runs ", "run ", "ran ", "fixed", "solved", "resolved", "disappear", "went away",
                "gone", "就", "解决", "正常", "没问题", "解決", "直",
                "動", "出なくな", "해결", "잘", "정상", "funciona", "solucion", "resolvi", "ya no", "funktioniert", "behoben",
                "gelöst", "geloest", "fonctionne", "résolu", "resolu")


# ... each as one alternation of literals (a scan in C over every line).
_LOOK_HOLDER, _LOOK_ENDED = (lazy("|".join(map(re.escape, looks))) for looks in (_HOLDER_LOOKS, _ENDED_LOOKS))


def _filled(lines, i: int) -> str:
    """Line ``i`` with the prose lines around it that its sentence runs over, for a paragraph an editor
    filled at 80 columns ("… in another tab and even" / "though I wasn't running anything …" / "GPU, after
    closing it, I didn't receive out of memory issue."): the two lines before and the one after, joined
    while each is a short line of prose (not blank, a table's row or a log line)."""
    def prose(j: int) -> bool:
        return 0 <= j < len(lines) and 0 < len(lines[j].strip()) <= 200 and not lines[j].lstrip().startswith(("|", "+"))
    start, end = i, i
    while start > i - 2 and prose(start - 1) and not lines[start - 1].rstrip().endswith((".", "!", "?", "。", "！", "？")):
        start -= 1
    if prose(i + 1) and not lines[i].rstrip().endswith((".", "!", "?", "。", "！", "？")):
        end = i + 1
    return " ".join(lines[j].strip() for j in range(start, end + 1)) if (start, end) != (i, i) else lines[i]


def _closed(doc: Pasted, f: Found) -> bool:
    """Another holder of the GPU closed and the failure gone (_CLOSED, _ENDED), in a sentence with no
    question, advice or "did not help" (_CLOSED_NOT), where the sentence, a line beside it or a failure in
    the text names memory."""
    lines = doc.lines
    for i in doc.lines_containing("clos", "shut", "kill", "stop", "quit", "termin", "exit", "关", "杀", "结束", "閉じ", "終了",
                                  "停止", "종료", "닫", "끄", "껐", "cerr", "matar", "maté", "matando", "deten", "detuve",
                                  "geschlossen", "beendet", "gestoppt", "ferm", "tué", "arrêt", ignorecase=True):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue  # a table's row, a log line
        line = _filled(lines, i)
        low = line.lower()
        if not _LOOK_HOLDER.search(low) or not _LOOK_ENDED.search(low) or not _ENDED.search(line):
            continue  # no holder named or nothing said over (cheap looks first)
        for m in [*_CLOSED.finditer(line), *_CLOSED_OTHER.finditer(line)]:
            s = sentence_around(line, m.start(), m.end())
            done, ended = _DONE.search(s) or _CLOSED_OTHER.search(s), _ENDED.search(s)
            # another machine's or long ago, read before the failure told over ("no longer" is the point here);
            # other processes are the point too
            # a process found taking the memory, then killed and the run fine: r25h reads that as over (_found_process)
            if not ended or not done or _CLOSED_NOT.search(s) or _HABIT.search(s) or _ELSEWHERE.search(s) \
                    or _FOUND_PROCESS.search(s) \
                    or (ended.start() and not_here_now(s[:ended.start()], 0, ended.start(), people=False)):
                continue
            near = " ".join(lines[max(0, i - 2):i + 3])
            if not (_MEMORY_WORD.search(near) or any(_MEMORY_FAILED.search(lines[j])
                                                     for j in doc.lines_containing("memory", "oom", "内存", "显存"))):
                return False
            said = " ".join(s.split())[:160]
            f.gpu(None, i, memory_used_bytes=Reading.fail(Status.ERROR, f"{CLOSED_DETAIL} ({said})"))
            return True
    return False


# An amount named in the sentence: "13GB", "12799 MiB".
_AMOUNT = lazy(r"\b(\d+(?:\.\d+)?)\s*([gm])i?b\b", _I)


def _little(sentence: str) -> bool:
    """Every amount the sentence names is under 1 GiB: what a display, the driver's own
    reservation or a CUDA context keeps, not a job's memory held by a stray process."""
    amounts = [float(n) * (1 if unit.lower() == "g" else 1 / 1024) for n, unit in _AMOUNT.findall(sentence)]
    return bool(amounts) and max(amounts) < 1


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing("memory", "vram", "显存", "显卡", "메모리", "メモリ", "memoria", "speicher", "mémoire",
                                  "allocated", "occupied", "used by", "in use", "no process", "no running process"):
        line = doc.lines[i]
        if line.lstrip().startswith("|"):
            continue  # nvidia-smi's own table: its reader reads the cells
        for s in _SENTENCE.findall(line):
            if _MEMORY.search(s) and _HELD.search(s) and _GONE.search(s) and not _NOT.search(s) and not _little(s) \
                    and not not_here_now(s, 0, len(s)):  # "used to …", another machine's
                said = " ".join(s.split())[:160]
                f.gpu(None, i, memory_used_bytes=Reading.fail(Status.ERROR, f"{HELD_DETAIL} ({said})"))
                f.note(f"{HELD_NOTE}“{said}” (line {i + 1})")
                return f
    return _shared(doc, f)


def _found_process(doc: Pasted, f: Found) -> bool:
    """A process the person found taking (nearly) all of the GPU's memory (_FOUND_PROCESS), in a
    text whose run failed for memory (_MEMORY_FAILED)."""
    for i in doc.lines_containing("进程", "process"):
        line = doc.lines[i]
        if line.lstrip().startswith("|"):
            continue
        for m in _FOUND_PROCESS.finditer(line):  # the words first, then only their sentence is read
            s = sentence_around(line, m.start(), m.end())
            at = s.find(m.group(0))
            tail = _CLAUSE_END.search(s, at + len(m.group(0)))
            said_part = s[:tail.start() if tail else len(s)]
            if not _GPU_SCOPE.search(s) or _NOT.search(said_part) or _NO_OTHER.search(s[:at]) \
                    or _OVER.search(s, at + len(m.group(0))) or _ELSEWHERE.search(s) \
                    or not_here_now(s, at, at + len(m.group(0)), people=False):
                continue
            if not any(_MEMORY_FAILED.search(doc.lines[j]) for j in doc.lines_containing("memory", "oom", "内存", "显存")):
                return False
            said = " ".join(s.split())[:160]
            f.gpu(None, i, memory_used_bytes=Reading.fail(Status.ERROR, f"{FOUND_DETAIL} ({said})"))
            return True
    return False


def _shared(doc: Pasted, f: Found) -> Found:
    """Other live work said to take the same GPU (_SHARED), or a process found taking its memory."""
    if _found_process(doc, f) or _closed(doc, f):
        return f
    for i in doc.lines_containing("other", " much", " many", "multiple", "several", "其他", "别的", "其它"):
        line = doc.lines[i]
        if line.lstrip().startswith("|"):
            continue
        for s in _SENTENCE.findall(line):
            m = _SHARED.search(s)
            if m and not _NOT.search(s) and not _NO_OTHER.search(s[:m.end()]) and not _NOT_THIS_RUN.search(s, m.start()) \
                    and not not_here_now(s, m.start(), m.end(), people=False):
                said = " ".join(s.split())[:160]
                f.gpu(None, i, memory_used_bytes=Reading.fail(Status.ERROR, f"{SHARED_DETAIL} ({said})"))
                return f
    return f
