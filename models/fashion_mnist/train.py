#!/usr/bin/python3
"""Trains verdict's small Fashion-MNIST CNN and exports it to ONNX (opset 13).

Run with Debian's own interpreter and packages (python3-torch, dataset-fashion-mnist):

    /usr/bin/python3 models/fashion_mnist/train.py [--epochs 6] [--out models/fashion_mnist]

The network takes pixel/255 (float, [1, 1, 28, 28]) as its input: the quantized model's
input tensor is the raw uint8 pixel with scale 1/255 and zero point 0, so no other
normalization may sit in front of the first convolution.

    Conv(1->8, 3x3, pad 1) + ReLU + MaxPool(2)      28x28 -> 14x14
    Conv(8->16, 3x3, pad 1) + ReLU + MaxPool(2)     14x14 -> 7x7
    Flatten -> Gemm(784 -> 10)                      logits

Everything is seeded (torch, the shuffling generator) and runs on one CPU thread, so a
rerun on the same packages reproduces the same weights. Writes model.onnx and
accuracy.json (float accuracy measured here by PyTorch on the 10,000 test images, and
a few test images (index, label, the 784 pixels in hex) with the logits PyTorch computes
for them, which verdict's float interpreter must reproduce; tests need no dataset for it).
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
SAMPLE_INDICES = [0, 1, 2, 3, 4, 5, 6, 7, 100, 1000, 5000, 9999]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split, data_dir):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # pixel/255
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = 0
        for i in range(0, len(x), 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--data", default=DATA, help="directory of the idx-ubyte.gz files")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    x_train, y_train = load("train", args.data)
    x_test, y_test = load("test", args.data)

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    gen = torch.Generator().manual_seed(args.seed)
    batch = 64
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(x_train):.4f}, "
              f"test accuracy {accuracy(model, x_test, y_test):.4f} ({time.time() - t0:.1f} s)", flush=True)

    model.eval()
    acc = accuracy(model, x_test, y_test)
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=13,
                      input_names=["pixels"], output_names=["logits"], do_constant_folding=True)
    samples = []
    with torch.no_grad():
        for i in SAMPLE_INDICES:
            logits = model(x_test[i:i + 1])[0]
            pixels = bytes(int(round(float(v) * 255)) for v in x_test[i].flatten())
            samples.append({"index": i, "label": int(y_test[i]), "pixels_hex": pixels.hex(),
                            "logits": [float(v) for v in logits]})
    report = {
        "model": "model.onnx",
        "input": "pixel/255, float [1, 1, 28, 28]",
        "torch": torch.__version__,
        "seed": args.seed,
        "epochs": args.epochs,
        "test_images": len(x_test),
        "float_accuracy_pytorch": acc,
        "samples": samples,
    }
    with open(os.path.join(args.out, "accuracy.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print(f"float test accuracy (PyTorch): {acc:.4f}; wrote {onnx_path}")


if __name__ == "__main__":
    main()
