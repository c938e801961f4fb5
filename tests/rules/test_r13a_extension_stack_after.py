"""CUDA's "no kernel image" shown before the stack that raised it (VS Code's debugger view:
"Exception has occurred: RuntimeError", the message, then the frames innermost first), whose
first frame is a compiled extension's own op: the extension's build lacks the GPU, not torch's
(messages.toml block r13a, extension_op_no_kernel_image_stack_after). Texts written for the test
from the debugger's layout and the extensions' op calls, none taken from the diagnosis corpus;
near-misses keep the words with torch's own op first, another traceback in between, or no
kernel error at all."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "extension_built_without_gpu_arch"
HEAD = ("Exception has occurred: RuntimeError\nCUDA error: no kernel image is available for execution on the device\n"
        "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be "
        "incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1.\n")

BROKEN = [
    HEAD + "  File \"/home/u/mmcv/mmcv/ops/roi_align.py\", line 87, in forward\n    ext_module.roi_align_forward(\n"
           "  File \"/home/u/mmdet/models/roi_heads/roi_extractors.py\", line 40, in forward\n    out = op(x, rois)\n",
    HEAD + "  File \"/work/detectron2/detectron2/layers/nms.py\", line 21, in batched_nms_rotated\n"
           "    keep = _C.nms_rotated(boxes_for_nms, scores, iou_threshold)\n",
    HEAD + "  File \"/usr/lib/python3.10/site-packages/torchvision/ops/boxes.py\", line 41, in nms\n"
           "    return torch.ops.torchvision.nms(boxes, scores, iou_threshold)\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_an_extension_op_first_under_the_message_is_the_extensions_build(text):
    f = errors(text)
    assert FID in f
    assert "gpu_arch_too_old_for_torch_build" not in f and "gpu_arch_unsupported_by_torch_build" not in f


NEAR_MISS = [
    # torch's own op is the innermost frame
    HEAD + "  File \"/usr/lib/python3.10/site-packages/torch/nn/modules/conv.py\", line 456, in _conv_forward\n"
           "    return F.conv2d(input, weight, self.bias, self.stride,\n",
    # a second traceback follows the message before the extension's frame: another exception's
    HEAD + "Traceback (most recent call last):\n  File \"/home/u/mmcv/mmcv/ops/roi_align.py\", line 87, in forward\n"
           "    ext_module.roi_align_forward(\nKeyboardInterrupt\n",
    # the same stack under another error
    "Exception has occurred: RuntimeError\nCUDA out of memory. Tried to allocate 20.00 MiB\n"
    "  File \"/home/u/mmcv/mmcv/ops/roi_align.py\", line 87, in forward\n    ext_module.roi_align_forward(\n",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_near_misses_do_not_blame_the_extensions_build(text):
    assert FID not in findings(text)
