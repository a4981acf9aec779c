#!/usr/bin/python3
"""Train molmoact-tiny on tabletop demonstrations and export it in the staged ONNX format.

    npm run models:molmoact-tiny            # the whole recipe: data, training, export, report

or step by step:

    node dist/src/apps/cli/main.js dataset --out models/molmoact-tiny/data/train --episodes 800 --seed 1
    /usr/bin/python3 models/molmoact-tiny/train.py --data models/molmoact-tiny/data/train

Runs on Debian's python3-torch (CPU). The model reasons in MolmoAct's three stages:

- a depth tokenizer (VQ-VAE): 40x40 metric depth -> a 10x10 grid of codes from a 128-entry
  codebook (unused codes are moved back onto the data while it trains), with its decoder (exported
  as depth_decoder.onnx for inspection);
- perceive: 160x120 image -> a stride-4 feature map (flattened to `features`) and depth-token
  logits, trained to predict the tokenizer's codes of the frame's depth;
- plan: features + instruction + proprioception (joints and the gripper's opening) -> the
  visual trace (5 points, soft-argmax over heatmaps trained with a heatmap cross-entropy,
  written as logits over 256 bins); the instruction is read as two attended phrases (object and
  reference) that make filters over the feature map through one shared map;
- act: features + trace + proprioception -> an 8-step chunk of end-effector deltas and gripper.
  The act stage is conditioned on the trace only (it never sees the instruction) and is trained on
  the expert's trace, on perturbed and predicted traces, and on traces to other objects with the
  matching actions, so that an edited trace steers the arm.

Outputs in the model folder: perceive.onnx, plan.onnx, act.onnx, depth_decoder.onnx,
manifest.yaml and report.json (data size, losses, held-out metrics).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# Action statistics (MolmoAct's q01/q99 convention). The expert moves at most 2 cm per step and
# never turns the hand; the gripper (1 open, 0 closed) is not un-normalised.
Q01 = [-0.02, -0.02, -0.02, -0.05, -0.05, -0.05, 0.0]
Q99 = [0.02, 0.02, 0.02, 0.05, 0.05, 0.05, 1.0]
MASK = [True, True, True, True, True, True, False]
MEAN = [0.5, 0.5, 0.5]
STD = [0.25, 0.25, 0.25]
DEPTH_SCALE = 1.5  # metres mapped to 1 for the tokenizer
CODES = 128
GRID = 10
# Learned feature channels, and the image's own colour (averaged over each cell) after them.
LEARNED_CHANNELS = 16
FEATURE_CHANNELS = LEARNED_CHANNELS + 3
PLAN_CHANNELS = 24
# How the plan reads the instruction: word embeddings of WORD_SIZE; PHRASES noun phrases (the
# object to move, and the reference object or place), each read as WORDS_PER_PHRASE attended
# words (colour, shape) and turned into FILTERS_PER_PHRASE 1x1 filters over the feature map.
WORD_SIZE = 32
PHRASES = 2
WORDS_PER_PHRASE = 2
FILTERS_PER_PHRASE = 2
# Spread (feature-map cells) of the target heatmap that trains each trace point's localisation.
HEATMAP_SIGMA = 0.8


def log(message):
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# data


def load_dataset(folder):
    with open(os.path.join(folder, 'meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    dtypes = {'u8': np.uint8, 'f32': np.float32, 'i32': np.int32}
    arrays = {}
    for name, shape in meta['files'].items():
        stem, ext = name.rsplit('.', 1)
        data = np.fromfile(os.path.join(folder, name), dtype=dtypes[ext])
        arrays[stem] = data.reshape([meta['frames']] + list(shape))
    return meta, arrays


def load_datasets(folders, holdout):
    """Several dataset folders as one; the last `holdout` share of each folder's episodes is held out."""
    metas = []
    parts = []
    held_out = []
    for folder in folders:
        meta, arrays = load_dataset(folder)
        if metas and (meta['image'] != metas[0]['image'] or meta['instruction'] != metas[0]['instruction']):
            raise SystemExit(f'{folder}: image size or vocabulary differs from {folders[0]}')
        metas.append(meta)
        parts.append(arrays)
        first_held_out = int(meta['episodes'] * (1 - holdout))
        held_out.append(arrays['episode'] >= first_held_out)
    data = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    return metas, data, np.concatenate(held_out)


def normalise_actions(actions):
    q01 = np.array(Q01, np.float32)
    q99 = np.array(Q99, np.float32)
    mask = np.array(MASK)
    out = actions.copy()
    out[..., mask] = 2 * (actions[..., mask] - q01[mask]) / (q99[mask] - q01[mask]) - 1
    return np.clip(out, -1, 1)


# ---------------------------------------------------------------------------------------------
# models


def coordinate_channels(batch, height, width, device):
    ys = torch.linspace(0, 1, height, device=device).view(1, 1, height, 1).expand(batch, 1, height, width)
    xs = torch.linspace(0, 1, width, device=device).view(1, 1, 1, width).expand(batch, 1, height, width)
    return torch.cat([xs, ys], dim=1)


class DepthTokenizer(nn.Module):
    """VQ-VAE on 40x40 depth: 10x10 latent grid, 128 codes of 16 values."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(64, 16, 1),
        )
        self.codebook = nn.Embedding(CODES, 16)
        # Upsampling + convolution rather than transposed convolutions, which are far slower on CPU.
        self.decoder = nn.Sequential(
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(),
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(32, 16, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(16, 1, 3, 1, 1),
        )

    def encode(self, depth):
        z = self.encoder(depth)  # [B, 16, 10, 10]
        flat = z.permute(0, 2, 3, 1).reshape(-1, 16)
        distances = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.weight.t() + self.codebook.weight.pow(2).sum(1))
        codes = distances.argmin(1)
        return z, codes.view(depth.shape[0], GRID * GRID)

    def decode_codes(self, codes):
        q = self.codebook(codes).view(codes.shape[0], GRID, GRID, 16).permute(0, 3, 1, 2)
        return self.decoder(q)

    def forward(self, depth):
        z, codes = self.encode(depth)
        q = self.codebook(codes).view(depth.shape[0], GRID, GRID, 16).permute(0, 3, 1, 2)
        commitment = F.mse_loss(z, q.detach())
        codebook_loss = F.mse_loss(q, z.detach())
        q = z + (q - z).detach()  # straight through
        return self.decoder(q), codes, codebook_loss + 0.25 * commitment


class DepthDecoder(nn.Module):
    """Export wrapper: codes [1, 100] int64 -> depth [1, 40, 40] metres."""

    def __init__(self, tokenizer):
        super().__init__()
        self.tokenizer = tokenizer

    def forward(self, codes):
        return (self.tokenizer.decode_codes(codes) * DEPTH_SCALE).squeeze(1)


class Perceive(nn.Module):
    """Image -> a stride-4 feature map (fine enough to place a trace point within a few pixels)
    and depth-token logits. A stride-8 trunk sees the wider context; it is upsampled and added to
    the stride-4 map, as in a feature pyramid."""

    def __init__(self, height, width):
        super().__init__()
        if height % 4 or width % 4:
            raise SystemExit(f'the dataset image is {width}x{height}; the feature map needs both sides divisible by 4')
        self.fine = nn.Sequential(
            nn.Conv2d(5, 16, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(16, 24, 3, 2, 1), nn.ReLU(),
        )
        self.coarse = nn.Sequential(
            nn.Conv2d(24, 32, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, 1, 2, dilation=2), nn.ReLU(),
        )
        self.lateral = nn.Conv2d(24, LEARNED_CHANNELS, 1)
        self.top_down = nn.Conv2d(32, LEARNED_CHANNELS, 1)
        self.depth_head = nn.Conv2d(32, CODES, 1)
        self.map_height = height // 4
        self.map_width = width // 4

    def forward(self, image):
        x = torch.cat([image, coordinate_channels(image.shape[0], image.shape[2], image.shape[3], image.device)], 1)
        fine = self.fine(x)
        coarse = self.coarse(fine)
        up = F.interpolate(self.top_down(coarse), size=fine.shape[2:], mode='nearest')
        # The cell's mean colour passes through unchanged: the plan matches the instruction's colour
        # word against it directly instead of hoping a learned channel keeps it.
        colour = F.avg_pool2d(image, 4)
        features = torch.cat([F.relu(self.lateral(fine) + up), colour], 1)
        depth = F.interpolate(self.depth_head(coarse), size=(GRID, GRID), mode='bilinear', align_corners=False)
        depth_logits = depth.flatten(2).transpose(1, 2)  # [B, 100, 128]
        return features.flatten(1), depth_logits


def soft_argmax(heatmaps):
    """[B, K, H, W] -> [B, K, 2] expected (x, y) in [0, 1]."""
    b, k, h, w = heatmaps.shape
    p = F.softmax(heatmaps.flatten(2), dim=2).view(b, k, h, w)
    xs = torch.linspace(0, 1, w, device=heatmaps.device)
    ys = torch.linspace(0, 1, h, device=heatmaps.device)
    x = (p.sum(2) * xs).sum(2)
    y = (p.sum(3) * ys).sum(2)
    return torch.stack([x, y], dim=2)


def heatmap_cross_entropy(heatmaps, points):
    """Cross-entropy of each point's heatmap against a small Gaussian around the true point
    ([B, K, 2] in [0, 1]): a dense localisation signal that trains far faster than the soft-argmax's
    coordinate error alone."""
    b, k, h, w = heatmaps.shape
    xs = torch.linspace(0, 1, w, device=heatmaps.device).view(1, 1, 1, w)
    ys = torch.linspace(0, 1, h, device=heatmaps.device).view(1, 1, h, 1)
    dx = (xs - points[:, :, 0].view(b, k, 1, 1)) * (w - 1)
    dy = (ys - points[:, :, 1].view(b, k, 1, 1)) * (h - 1)
    target = torch.exp(-(dx * dx + dy * dy) / (2 * HEATMAP_SIGMA * HEATMAP_SIGMA)).flatten(2)
    target = target / target.sum(2, keepdim=True)
    return -(target * F.log_softmax(heatmaps.flatten(2), dim=2)).sum(2).mean()


def gaussian_logits(values, bins, width):
    """Values in [0, 1] (trace) or [-1, 1] (actions) written as logits over bins, peaked at the value."""
    return -((bins - values.unsqueeze(-1)) ** 2) / (2 * width * width)


class Plan(nn.Module):
    """Features + instruction + joints -> one heatmap per trace point on the feature grid; the
    point is the heatmap's soft-argmax. Dilated convolutions let each heatmap see the gripper, the
    named object and the goal at once.

    The instruction is read into phrases, not one summary: attention over the words picks the
    object's words and the reference's words ("... to the left of the yellow ball"), and one shared
    map turns each phrase into filters run over the feature map. The map from "yellow ball" to a
    filter is then learnt from every instruction that names a yellow ball, in either role, so the
    plan also finds objects in pairings it never saw together."""

    def __init__(self, vocabulary_size, map_height, map_width, points, proprio_dim):
        super().__init__()
        self.map_height, self.map_width, self.points = map_height, map_width, points
        self.embedding = nn.Embedding(vocabulary_size, WORD_SIZE)
        # Each word in its sentence context, read both ways: which role the word plays.
        self.gru = nn.GRU(WORD_SIZE, WORD_SIZE, batch_first=True, bidirectional=True)
        self.roles = nn.Linear(2 * WORD_SIZE, PHRASES * WORDS_PER_PHRASE)
        self.phrase_filters = nn.Linear(WORDS_PER_PHRASE * WORD_SIZE, FILTERS_PER_PHRASE * FEATURE_CHANNELS)
        self.proprio = nn.Sequential(nn.Linear(proprio_dim, 32), nn.ReLU())
        condition = 2 * WORD_SIZE + PHRASES * WORDS_PER_PHRASE * WORD_SIZE + 32
        # One scale and shift per channel for the first convolution and each context convolution:
        # the instruction steers every layer, not only the first.
        self.film = nn.Linear(condition, 2 * PLAN_CHANNELS * 4)
        self.conv1 = nn.Conv2d(FEATURE_CHANNELS + 2 + PHRASES * FILTERS_PER_PHRASE, PLAN_CHANNELS, 3, 1, 1)
        self.context = nn.ModuleList(
            [nn.Conv2d(PLAN_CHANNELS, PLAN_CHANNELS, 3, 1, d, dilation=d) for d in (2, 4, 8)]
        )
        self.refine = nn.Conv2d(PLAN_CHANNELS, PLAN_CHANNELS, 3, 1, 1)
        self.head = nn.Conv2d(PLAN_CHANNELS, points, 1)
        self.register_buffer('bins', torch.arange(256, dtype=torch.float32))

    def read_instruction(self, instruction):
        """Token ids [B, T] -> (sentence summary [B, 2W], phrases [B, PHRASES, WORDS_PER_PHRASE * W])."""
        b = instruction.shape[0]
        words = self.embedding(instruction)
        context, hidden = self.gru(words)
        # Attention of each role over the words, padding excluded.
        scores = self.roles(context).masked_fill((instruction == 0).unsqueeze(-1), -1e4)
        attention = F.softmax(scores, dim=1)  # [B, T, roles]
        # The chosen words' own embeddings (not their context), so a phrase is its words.
        picked = torch.einsum('btr,btw->brw', attention, words)
        phrases = picked.reshape(b, PHRASES, WORDS_PER_PHRASE * WORD_SIZE)
        summary = torch.cat([hidden[0], hidden[1]], 1)
        return summary, phrases

    def heatmaps(self, features, instruction, proprio):
        b = features.shape[0]
        fmap = features.view(b, FEATURE_CHANNELS, self.map_height, self.map_width)
        summary, phrases = self.read_instruction(instruction)
        condition = torch.cat([summary, phrases.flatten(1), self.proprio(proprio)], 1)
        films = self.film(condition).view(b, 4, 2, PLAN_CHANNELS, 1, 1)
        # Phrase-made 1x1 filters: maps that light up where the named objects' features are.
        filters = self.phrase_filters(phrases).view(b, PHRASES * FILTERS_PER_PHRASE, FEATURE_CHANNELS)
        matches = torch.einsum('bqc,bchw->bqhw', filters, fmap)
        x = torch.cat([fmap, coordinate_channels(b, self.map_height, self.map_width, features.device), matches], 1)
        x = self.conv1(x)
        for layer, conv in enumerate([None, *self.context]):
            if conv is not None:
                x = x + conv(x)
            x = F.relu(x * (1 + films[:, layer, 0]) + films[:, layer, 1])
        x = F.relu(self.refine(x))
        return self.head(x)  # [B, points, H, W]

    def coordinates(self, features, instruction, proprio):
        return soft_argmax(self.heatmaps(features, instruction, proprio))  # [B, points, 2] in [0, 1]

    def forward(self, features, instruction, proprio):
        coords = self.coordinates(features, instruction, proprio)
        return gaussian_logits(coords * 255, self.bins, 1.0)  # [B, points, 2, 256]


def halved(size):
    """Size of a map after a 3x3 convolution with stride 2 and padding 1."""
    return (size + 1) // 2


class Act(nn.Module):
    def __init__(self, map_height, map_width, points, chunk, proprio_dim):
        super().__init__()
        self.map_height, self.map_width, self.points, self.chunk = map_height, map_width, points, chunk
        self.conv1 = nn.Conv2d(FEATURE_CHANNELS + 2 + points, 24, 3, 2, 1)
        self.conv2 = nn.Conv2d(24, 32, 3, 2, 1)
        self.conv3 = nn.Conv2d(32, 32, 3, 1, 1)
        # Two stride-2 convolutions: each halves the map, rounding up.
        pooled = 32 * halved(halved(map_height)) * halved(halved(map_width))
        self.mlp = nn.Sequential(
            nn.Linear(pooled + points * 2 + (points - 1) * 2 + proprio_dim, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, chunk * 7),
        )
        # The runtime decodes bin b to the centre c[min(b, 254)], c[i] = -1 + (i + 0.5) * 2 / 255.
        centres = -1 + (torch.arange(256, dtype=torch.float32).clamp(max=254) + 0.5) * 2 / 255
        self.register_buffer('bins', centres)

    def values(self, features, trace, proprio):
        b = features.shape[0]
        fmap = features.view(b, FEATURE_CHANNELS, self.map_height, self.map_width)
        grid = coordinate_channels(b, self.map_height, self.map_width, features.device)
        # Each trace point as a heatmap on the feature grid, so convolutions see where it lies.
        dx = grid[:, 0:1] - trace[:, :, 0].view(b, self.points, 1, 1)
        dy = grid[:, 1:2] - trace[:, :, 1].view(b, self.points, 1, 1)
        marks = torch.exp(-(dx * dx + dy * dy) / (2 * 0.04 * 0.04))
        x = torch.cat([fmap, grid, marks], 1)
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        # The path relative to the fingers, magnified: the last few centimetres of an approach are
        # only a few pixels in the image, yet decide whether the grasp closes on the object.
        relative = (trace[:, 1:] - trace[:, :1]).flatten(1) * 10
        x = torch.cat([x.flatten(1), trace.flatten(1), relative, proprio], 1)
        return torch.tanh(self.mlp(x)).view(b, self.chunk, 7)

    def forward(self, features, trace, proprio):
        # Bin width of 256 bins over [-1, 1] is 2/255: logits peaked at the value's bin.
        return gaussian_logits(self.values(features, trace, proprio), self.bins, 1.0 / 255)


# ---------------------------------------------------------------------------------------------
# training


def batches(n, size, rng):
    order = rng.permutation(n)
    for i in range(0, n - size + 1, size):
        yield order[i:i + size]


def train_tokenizer(depth, args, rng):
    log(f'depth tokenizer: {len(depth)} maps')
    tokenizer = DepthTokenizer()
    # Codebook from encoder outputs of random maps: no dead codes at the start.
    with torch.no_grad():
        sample = torch.from_numpy(depth[rng.choice(len(depth), 64)] / DEPTH_SCALE).unsqueeze(1)
        z = tokenizer.encoder(sample).permute(0, 2, 3, 1).reshape(-1, 16)
        tokenizer.codebook.weight.copy_(z[torch.from_numpy(rng.choice(len(z), CODES, replace=False))])
    optimiser = torch.optim.Adam(tokenizer.parameters(), lr=2e-3)
    usage = torch.zeros(CODES, dtype=torch.long)
    steps = 0
    for epoch in range(args.tokenizer_epochs):
        total = 0.0
        count = 0
        for index in batches(len(depth), 128, rng):
            target = torch.from_numpy(depth[index] / DEPTH_SCALE).unsqueeze(1)
            reconstruction, codes, vq_loss = tokenizer(target)
            loss = F.l1_loss(reconstruction, target) + vq_loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
            count += 1
            steps += 1
            usage[codes.flatten()] += 1
            if steps % 50 == 0:
                revive_dead_codes(tokenizer, target, usage)
                usage.zero_()
        log(f'  epoch {epoch + 1}/{args.tokenizer_epochs}: loss {total / count:.4f}')
    tokenizer.eval()
    with torch.no_grad():
        codes = []
        errors = []
        for i in range(0, len(depth), 512):
            target = torch.from_numpy(depth[i:i + 512] / DEPTH_SCALE).unsqueeze(1)
            reconstruction, c, _ = tokenizer(target)
            codes.append(c.numpy())
            errors.append((reconstruction - target).abs().mean(dim=(1, 2, 3)).numpy() * DEPTH_SCALE)
        codes = np.concatenate(codes)
    used = len(np.unique(codes))
    error = float(np.concatenate(errors).mean())
    log(f'  codes used {used}/{CODES}, mean reconstruction error {error * 1000:.1f} mm')
    return tokenizer, codes.astype(np.int64), {'codes_used': used, 'reconstruction_error_mm': round(error * 1000, 2)}


def revive_dead_codes(tokenizer, depth, usage):
    """Codes no encoder output chose in the last batches are moved onto random encoder outputs of
    this batch, so that the codebook keeps all of its entries in use (VQ codebooks otherwise
    collapse to a handful of codes)."""
    dead = torch.nonzero(usage == 0).flatten()
    if len(dead) == 0:
        return
    with torch.no_grad():
        z = tokenizer.encoder(depth).permute(0, 2, 3, 1).reshape(-1, 16)
        pick = torch.randint(len(z), (len(dead),))
        tokenizer.codebook.weight[dead] = z[pick] + 0.01 * torch.randn(len(dead), 16)


def prepare_images(rgb):
    """uint8 [B, H, W, 3] -> normalised float [B, 3, H, W], as the runtime's preprocessing does."""
    x = rgb.permute(0, 3, 1, 2).float() / 255
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', action='append', help='dataset folder (repeat to train on several; default data/train)')
    parser.add_argument('--out', default=HERE)
    parser.add_argument('--epochs', type=int, default=14)
    parser.add_argument('--tokenizer-epochs', type=int, default=4)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--holdout', type=float, default=0.05, help='fraction of episodes held out for the report')
    args = parser.parse_args()

    # Made now, not at export: an output folder that cannot be created fails before the training.
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    started = time.time()

    folders = args.data or [os.path.join(HERE, 'data', 'train')]
    metas, data, held_out = load_datasets(folders, args.holdout)
    meta = metas[0]
    frames = len(held_out)
    height, width = meta['image']['height'], meta['image']['width']
    for folder, m in zip(folders, metas):
        log(f'data: {m["frames"]} frames from {m["episodes"]} episodes ({m.get("driver", "expert")}) in {folder}')

    tokenizer, depth_codes, tokenizer_report = train_tokenizer(data['depth'], args, rng)

    train_index = np.nonzero(~held_out)[0]
    test_index = np.nonzero(held_out)[0]
    test_kinds = task_kinds(data['instruction'][test_index], meta['instruction']['vocabulary'])

    # Images stay uint8 (one float copy of 30,000 frames would not fit in memory); each batch is
    # normalised as it is drawn.
    rgb = torch.from_numpy(data['rgb'])
    proprio = torch.from_numpy(data['proprio'])
    instruction = torch.from_numpy(data['instruction'].astype(np.int64))
    trace = torch.from_numpy(data['trace'] / 255.0).float()
    actions = torch.from_numpy(normalise_actions(data['actions']))
    alt_trace = torch.from_numpy(data['alt_trace'] / 255.0).float()
    alt_actions = torch.from_numpy(normalise_actions(data['alt_actions']))
    alt_valid = torch.from_numpy(data['alt_valid'].astype(bool))
    codes = torch.from_numpy(depth_codes)

    vocabulary = meta['instruction']['vocabulary']
    points = meta['trace_points']
    chunk = meta['chunk']
    perceive = Perceive(height, width)
    proprio_dim = meta['proprio_dim']
    plan = Plan(len(vocabulary), perceive.map_height, perceive.map_width, points, proprio_dim)
    act = Act(perceive.map_height, perceive.map_width, points, chunk, proprio_dim)
    modules = nn.ModuleList([perceive, plan, act])
    optimiser = torch.optim.AdamW(modules.parameters(), lr=1e-3, weight_decay=1e-4)
    steps_per_epoch = len(train_index) // args.batch
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=1e-3, total_steps=args.epochs * steps_per_epoch, pct_start=0.1)
    history = []

    def losses(index, training):
        image = prepare_images(rgb[index])
        if training:
            # Small photometric changes: brightness per image.
            image = image + (torch.rand(len(index), 1, 1, 1) - 0.5) * 0.4
        features, depth_logits = perceive(image)
        depth_loss = F.cross_entropy(depth_logits.reshape(-1, CODES), codes[index].reshape(-1))
        heatmaps = plan.heatmaps(features, instruction[index], proprio[index])
        predicted = soft_argmax(heatmaps)
        trace_loss = F.l1_loss(predicted, trace[index]) * 255
        heatmap_loss = heatmap_cross_entropy(heatmaps, trace[index])
        # The act stage's trace: the expert's (jittered), the plan's own, or one to another object.
        source = torch.rand(len(index))
        given = trace[index] + torch.randn_like(trace[index]) * (2.0 / 255)
        target = actions[index].clone()
        use_predicted = source < 0.3
        given[use_predicted] = predicted.detach()[use_predicted]
        use_other = (source > 0.65) & alt_valid[index]
        given[use_other] = alt_trace[index][use_other]
        target[use_other] = alt_actions[index][use_other]
        act_values = act.values(features, given.clamp(0, 1), proprio[index])
        action_loss = F.l1_loss(act_values, target) * 10
        return depth_loss, trace_loss, heatmap_loss, action_loss, act_values, target, predicted

    for epoch in range(args.epochs):
        modules.train()
        sums = np.zeros(3)
        count = 0
        for index in batches(len(train_index), args.batch, rng):
            index = torch.from_numpy(train_index[index])
            depth_loss, trace_loss, heatmap_loss, action_loss, _, _, _ = losses(index, True)
            loss = 0.3 * depth_loss + 0.1 * trace_loss + heatmap_loss + action_loss
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(modules.parameters(), 5.0)
            optimiser.step()
            schedule.step()
            sums += [depth_loss.item(), trace_loss.item(), action_loss.item()]
            count += 1
        evaluation = evaluate(modules, losses, test_index, args.batch, trace, test_kinds)
        entry = {
            'epoch': epoch + 1,
            'train_depth_ce': round(sums[0] / count, 4),
            'train_trace_l1_px256': round(sums[1] / count, 3),
            'train_action_l1x10': round(sums[2] / count, 4),
            **evaluation,
            'elapsed_s': round(time.time() - started, 1),
        }
        history.append(entry)
        log(json.dumps(entry))

    export(args.out, perceive, plan, act, tokenizer, meta, height, width)
    report = {
        'recipe': 'models/molmoact-tiny/train.py',
        'seed': args.seed,
        'data': {
            'datasets': [
                {
                    'folder': os.path.relpath(folder, HERE),
                    'seed': m['seed'],
                    'episodes': m['episodes'],
                    'frames': m['frames'],
                    'driver': m.get('driver', 'expert'),
                    'successes': m['successes'],
                }
                for folder, m in zip(folders, metas)
            ],
            'frames': frames,
            'held_out_frames': int(len(test_index)),
        },
        'depth_tokenizer': tokenizer_report,
        'epochs': args.epochs,
        'history': history,
        'training_seconds': round(time.time() - started, 1),
        'torch': torch.__version__,
    }
    with open(os.path.join(args.out, 'report.json'), 'w', encoding='utf-8') as f:
        json.dump(report, f, indent=2)
        f.write('\n')
    log(f'done in {time.time() - started:.0f} s -> {args.out}')


def task_kinds(instructions, vocabulary):
    """The task kind of each instruction (token ids [N, T]), from the words its template uses."""
    ids = {word: vocabulary.index(word) for word in ('left', 'right', 'plate')}
    kinds = np.full(len(instructions), 'pick', dtype=object)
    kinds[(instructions == ids['plate']).any(1)] = 'place'
    kinds[(instructions == ids['left']).any(1)] = 'left_of'
    kinds[(instructions == ids['right']).any(1)] = 'right_of'
    return kinds


def evaluate(modules, losses, index, batch, trace, kinds):
    """Held-out losses, the gripper's accuracy, and the trace error by task kind."""
    modules.eval()
    sums = np.zeros(3)
    gripper_right = 0
    total = 0
    trace_errors = []
    with torch.no_grad():
        for i in range(0, len(index), batch):
            part = torch.from_numpy(index[i:i + batch])
            depth_loss, trace_loss, _, action_loss, values, target, predicted = losses(part, False)
            sums += [depth_loss.item() * len(part), trace_loss.item() * len(part), action_loss.item() * len(part)]
            gripper_right += ((values[..., 6] > 0.5) == (target[..., 6] > 0.5)).sum().item()
            total += values[..., 6].numel()
            trace_errors.append(((predicted - trace[part]).abs().mean(dim=(1, 2)) * 255).numpy())
    n = max(1, len(index))
    trace_errors = np.concatenate(trace_errors) if trace_errors else np.zeros(0)
    by_kind = {kind: round(float(trace_errors[kinds == kind].mean()), 3) for kind in sorted(set(kinds)) if (kinds == kind).any()}
    return {
        'test_depth_ce': round(sums[0] / n, 4),
        'test_trace_l1_px256': round(sums[1] / n, 3),
        'test_trace_l1_px256_by_task': by_kind,
        'test_action_l1x10': round(sums[2] / n, 4),
        'test_gripper_accuracy': round(gripper_right / max(1, total), 4),
    }


def export(folder, perceive, plan, act, tokenizer, meta, height, width):
    perceive.eval()
    plan.eval()
    act.eval()
    tokenizer.eval()
    features = FEATURE_CHANNELS * perceive.map_height * perceive.map_width
    points = meta['trace_points']
    proprio_dim = meta['proprio_dim']
    # Datasets that record the gripper's opening end their proprioception with it.
    gripper = 'true' if meta.get('proprio_gripper') else 'false'
    tokens = meta['instruction']['max_tokens']
    graphs = [
        ('perceive', perceive, (torch.zeros(1, 3, height, width),), ['image'], ['features', 'depth_logits']),
        ('plan', plan, (torch.zeros(1, features), torch.zeros(1, tokens, dtype=torch.int64), torch.zeros(1, proprio_dim)),
         ['features', 'instruction', 'proprio'], ['trace_logits']),
        ('act', act, (torch.zeros(1, features), torch.zeros(1, points, 2), torch.zeros(1, proprio_dim)),
         ['features', 'trace', 'proprio'], ['action_logits']),
        ('depth_decoder', DepthDecoder(tokenizer), (torch.zeros(1, GRID * GRID, dtype=torch.int64),), ['codes'], ['depth']),
    ]
    for name, module, inputs, names_in, names_out in graphs:
        torch.onnx.export(module, inputs, os.path.join(folder, f'{name}.onnx'), input_names=names_in,
                          output_names=names_out, opset_version=17, do_constant_folding=True)
    vocabulary = ', '.join(json.dumps(w) for w in meta['instruction']['vocabulary'])
    manifest = f"""# molmoact-tiny: the bundled tabletop model, trained by train.py on demonstrations of the
# scripted expert in the simulation (see README.md and report.json).
# Format: docs/model-format.md. Written by train.py; retrain instead of editing.
format: 1
name: molmoact-tiny
description: Three-stage action reasoning model for the tabletop world (Franka Panda, end-effector deltas).
backend: onnx
graphs:
  perceive: perceive.onnx
  plan: plan.onnx
  act: act.onnx
input:
  width: {width}
  height: {height}
  mean: {json.dumps(MEAN)}
  std: {json.dumps(STD)}
instruction:
  max_tokens: {tokens}
  # Token id = position in this list; 0 must be <pad>, 1 must be <unk>.
  vocabulary: [{vocabulary}]
proprio:
  # Joint positions (joint_names order){', then the gripper opening (1 open, 0 closed)' if gripper == 'true' else ''}.
  dim: {proprio_dim}
  gripper: {gripper}
depth:
  rows: {GRID}
  cols: {GRID}
  codebook: {CODES}
trace:
  points: {points}
  bins: 256
action:
  space: ee_delta
  dim: 7
  chunk: {meta['chunk']}
  bins: 256
  rotation: euler_xyz
  gripper: 6
  frame: base
statistics:
  q01: {json.dumps(Q01)}
  q99: {json.dumps(Q99)}
  mask: {json.dumps(MASK).lower()}
"""
    with open(os.path.join(folder, 'manifest.yaml'), 'w', encoding='utf-8') as f:
        f.write(manifest)


if __name__ == '__main__':
    sys.exit(main())
