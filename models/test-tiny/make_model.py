#!/usr/bin/env python3
"""Builds the `test-tiny` model: three ONNX graphs (perceive, plan, act) and their manifest.

The weights are seeded, not trained: the model's outputs are deterministic and shaped like a real
Action Reasoning Model's, but they mean nothing. It exists so that the runtime, its tests and its
benchmarks exercise real ONNX graphs of a realistic size. The tensor contract is described in
docs/model-format.md.

Also writes the `nan-act` test fixture (test/fixtures/models/nan-act/): a manifest that reuses this
model's perceive and plan graphs and an act graph whose logits are NaN.

Run with a Python that has PyTorch and onnx (e.g. Debian's python3-torch, python3-onnx):
    /usr/bin/python3 models/test-tiny/make_model.py

For benchmarks only, `--scale K --out DIR` writes a variant whose perceive encoder has K times the
channels (about K^2 times the compute) into DIR, named test-tiny-xK; nothing else is written. It
shows how the pipeline's overhead ratio falls as the graphs get slower (README, Benchmarks).
"""

import argparse
import os

import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NAN_ACT_DIR = os.path.join(REPO, "test", "fixtures", "models", "nan-act")

SEED = 0
OPSET = 17

# Sizes; the manifest below repeats them so that the runtime never has to guess.
IMAGE = 224
FEATURES = 128
DEPTH_ROWS, DEPTH_COLS, DEPTH_CODES = 10, 10, 128
MAX_TOKENS = 16
PROPRIO = 7
TRACE_POINTS, TRACE_BINS = 5, 256
CHUNK, ACTION_DIM, ACTION_BINS = 8, 7, 256

VOCABULARY = [
    "<pad>", "<unk>",
    "pick", "up", "place", "put", "move", "push", "stack", "open", "close", "grasp",
    "the", "a", "and", "it", "on", "in", "into", "onto", "of", "to", "from", "top",
    "left", "right", "front", "behind", "near",
    "red", "blue", "green", "yellow", "orange", "purple", "white", "black",
    "block", "cube", "cylinder", "ball", "cup", "bowl", "plate", "towel", "tray", "drawer",
    "watermelon", "spoon", "carrot",
]

# Per-joint statistics of a joint-delta dataset: 1st and 99th percentile, in radians per step.
Q01 = [-0.05] * ACTION_DIM
Q99 = [0.05] * ACTION_DIM
MASK = [True] * ACTION_DIM


def action_bin_values(bins):
    """Normalised action of each output bin, as the runtime decodes it: the centres of
    linspace(-1, 1, bins) (bins - 1 of them); the last bin shares the last centre."""
    edges = torch.linspace(-1.0, 1.0, bins)
    centres = (edges[:-1] + edges[1:]) / 2
    return torch.cat([centres, centres[-1:]])


def peaked_logits(centre, grid, sigma):
    """Logits of a discrete distribution peaked at `centre` (a bump over `grid`)."""
    return -0.5 * ((grid - centre) / sigma) ** 2


class Perceive(nn.Module):
    """A small conv encoder, 224x224 -> 14x14x128 (four stride-2 3x3 convs, with more 3x3 convs
    at 112, 56 and 28 pixels), then a depth head and a feature head."""

    # (output channels, stride) of each 3x3 conv.
    LAYERS = [(48, 2), (48, 1), (48, 1), (48, 1), (64, 2), (64, 1), (64, 1), (128, 2), (128, 1), (128, 2)]

    def __init__(self, scale=1.0):
        super().__init__()
        layers, c_in = [], 3
        for i, (c_out, stride) in enumerate(self.LAYERS):
            # The last layer keeps 128 channels: the heads and the manifest depend on it.
            if i < len(self.LAYERS) - 1:
                c_out = round(c_out * scale)
            layers += [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.ReLU()]
            c_in = c_out
        self.encoder = nn.Sequential(*layers)
        # 14x14 -> 10x10 depth grid, then one logit per codebook entry.
        self.depth_pool = nn.AvgPool2d(5, stride=1)
        self.depth_head = nn.Conv2d(128, DEPTH_CODES, 1)
        self.feature_head = nn.Linear(128, FEATURES)
        for m in self.encoder:
            if isinstance(m, nn.Conv2d):
                # Keeps activations at a similar scale through the stack, so the image matters.
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")

    def forward(self, image):
        x = self.encoder(image)
        # Relative to the image's mean activation, so the tokens vary over the grid.
        depth = self.depth_head(self.depth_pool(x - x.mean(dim=(2, 3), keepdim=True)))
        # [1, codes, rows, cols] -> [1, rows*cols, codes], row-major
        depth_logits = depth.flatten(2).transpose(1, 2)
        features = torch.tanh(self.feature_head(x.mean(dim=(2, 3))))
        return features, depth_logits


class Plan(nn.Module):
    """Features + instruction + joints -> a trace from a start point to an end point."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(len(VOCABULARY), 32, padding_idx=0)
        nn.init.normal_(self.embed.weight, std=2.0)
        with torch.no_grad():
            self.embed.weight[0].zero_()
        self.mlp = nn.Sequential(
            nn.Linear(FEATURES + 32 + PROPRIO, 128), nn.Tanh(),
            nn.Linear(128, 4 + TRACE_POINTS * 2),
        )
        self.register_buffer("grid", torch.arange(TRACE_BINS, dtype=torch.float32))
        self.register_buffer("progress", torch.linspace(0, 1, TRACE_POINTS).view(1, TRACE_POINTS, 1))

    def forward(self, features, instruction, proprio):
        mask = (instruction != 0).float().unsqueeze(-1)
        words = (self.embed(instruction) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        out = self.mlp(torch.cat([features, words, proprio], dim=-1))
        start, end = out[:, 0:2].unsqueeze(1), out[:, 2:4].unsqueeze(1)
        wiggle = 0.2 * out[:, 4:].view(1, TRACE_POINTS, 2)
        path = start + (end - start) * self.progress + wiggle
        centre = 127.5 + 120.0 * torch.tanh(2.0 * path)  # [1, P, 2] in image coordinates
        return peaked_logits(centre.unsqueeze(-1), self.grid, 6.0)


class Act(nn.Module):
    """Features + trace + joints -> a chunk of normalised actions, as logits over bins."""

    def __init__(self, hidden=128, nan=False):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(FEATURES + TRACE_POINTS * 2 + PROPRIO, hidden), nn.Tanh(),
            nn.Linear(hidden, CHUNK * ACTION_DIM),
        )
        with torch.no_grad():
            # The trace columns get larger weights: steering the trace must steer the actions.
            self.mlp[0].weight[:, FEATURES:FEATURES + TRACE_POINTS * 2] *= 8.0
        self.register_buffer("grid", action_bin_values(ACTION_BINS))
        self.nan = nan

    def forward(self, features, trace, proprio):
        h = torch.cat([features, (trace - 0.5).flatten(1), proprio], dim=-1)
        normalised = torch.tanh(self.mlp(h)).view(1, CHUNK, ACTION_DIM, 1)
        logits = peaked_logits(normalised, self.grid, 3.0 / ACTION_BINS)
        if self.nan:
            logits = logits * float("nan")
        return logits


def export(module, args, names_in, names_out, path):
    module.eval()
    torch.onnx.export(module, args, path, input_names=names_in, output_names=names_out,
                      opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    # No producer stamp: the file's bytes depend on the weights only.
    model.producer_name, model.producer_version = "", ""
    onnx.save(model, path)
    print(f"wrote {os.path.relpath(path, REPO)} ({os.path.getsize(path)} bytes)")


def yaml_list(values):
    return "[" + ", ".join(values) + "]"


MANIFEST = f"""\
# test-tiny: a three-stage model with seeded, untrained weights (see README.md).
# Format: docs/model-format.md. Written by make_model.py; edit the script, not this file.
format: 1
name: test-tiny
description: Untrained three-stage test model with the MolmoAct output conventions.
backend: onnx
graphs:
  perceive: perceive.onnx
  plan: plan.onnx
  act: act.onnx
input:
  width: {IMAGE}
  height: {IMAGE}
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
instruction:
  max_tokens: {MAX_TOKENS}
  # Token id = position in this list; 0 must be <pad>, 1 must be <unk>.
  vocabulary: {yaml_list(f'"{w}"' for w in VOCABULARY)}
proprio:
  dim: {PROPRIO}
depth:
  rows: {DEPTH_ROWS}
  cols: {DEPTH_COLS}
  codebook: {DEPTH_CODES}
trace:
  points: {TRACE_POINTS}
  bins: {TRACE_BINS}
action:
  space: joint_delta
  dim: {ACTION_DIM}
  chunk: {CHUNK}
  bins: {ACTION_BINS}
statistics:
  q01: {yaml_list(str(v) for v in Q01)}
  q99: {yaml_list(str(v) for v in Q99)}
  mask: {yaml_list(str(v).lower() for v in MASK)}
"""

NAN_MANIFEST = MANIFEST.replace(
    "# test-tiny: a three-stage model with seeded, untrained weights (see README.md).",
    "# nan-act: test-tiny's perceive and plan graphs with an act graph whose logits are NaN.",
).replace("name: test-tiny", "name: nan-act").replace(
    "description: Untrained three-stage test model with the MolmoAct output conventions.",
    "description: Test fixture; the runtime must reject its actions.",
).replace("perceive: perceive.onnx", "perceive: ../../../../models/test-tiny/perceive.onnx").replace(
    "plan: plan.onnx", "plan: ../../../../models/test-tiny/plan.onnx",
).replace("edit the script, not this file", "edit models/test-tiny/make_model.py")


def main():
    parser = argparse.ArgumentParser(description="Builds the test-tiny model (or, with --scale, a slower variant for benchmarks).")
    parser.add_argument("--scale", type=float, default=1.0, help="channel multiplier of the perceive encoder (default 1: the committed model)")
    parser.add_argument("--out", default=HERE, help="output folder (default: this folder)")
    args = parser.parse_args()
    variant = args.scale != 1.0
    if variant and os.path.abspath(args.out) == HERE:
        parser.error("a --scale variant needs its own --out folder")
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(SEED)
    perceive, plan, act = Perceive(args.scale), Plan(), Act()

    image = torch.randn(1, 3, IMAGE, IMAGE)
    features = torch.randn(1, FEATURES)
    instruction = torch.zeros(1, MAX_TOKENS, dtype=torch.int64)
    instruction[0, :3] = torch.tensor([2, 3, 12])
    proprio = torch.zeros(1, PROPRIO)
    trace = torch.rand(1, TRACE_POINTS, 2)

    export(perceive, (image,), ["image"], ["features", "depth_logits"],
           os.path.join(args.out, "perceive.onnx"))
    export(plan, (features, instruction, proprio), ["features", "instruction", "proprio"],
           ["trace_logits"], os.path.join(args.out, "plan.onnx"))
    export(act, (features, trace, proprio), ["features", "trace", "proprio"],
           ["action_logits"], os.path.join(args.out, "act.onnx"))
    with open(os.path.join(args.out, "manifest.yaml"), "w") as f:
        f.write(MANIFEST.replace("name: test-tiny", f"name: test-tiny-x{args.scale:g}") if variant else MANIFEST)
    if variant:
        return

    os.makedirs(NAN_ACT_DIR, exist_ok=True)
    export(Act(hidden=4, nan=True), (features, trace, proprio), ["features", "trace", "proprio"],
           ["action_logits"], os.path.join(NAN_ACT_DIR, "act.onnx"))
    with open(os.path.join(NAN_ACT_DIR, "manifest.yaml"), "w") as f:
        f.write(NAN_MANIFEST)


if __name__ == "__main__":
    main()
