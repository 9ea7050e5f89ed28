#!/usr/bin/python3
"""Exports MobileNet v2 (torchvision's architecture) with seeded random weights to ONNX.

Run with Debian's own interpreter and packages (python3-torch, python3-torchvision):

    /usr/bin/python3 models/mobilenet_v2/export.py                    # width 0.35, 96x96
    /usr/bin/python3 models/mobilenet_v2/export.py --width 0.5 --resolution 224
    /usr/bin/python3 models/mobilenet_v2/export.py --width 0.75 --resolution 192

The output (default models/mobilenet_v2/mobilenet_v2_<width>_<resolution>.onnx, ignored
by git: megabytes, and beside it .sample.json: a seeded random image and PyTorch's logits
for it, to cross-check verdict's float interpreter) is what `verdict import --calibration-random N` quantizes for the
benchmarks of the paper's Table 1. The weights are random (no pretrained weights are
downloaded), so the accuracy is meaningless; the shapes, operator mix and parameter
count are the real ones.

Inputs are pixel/255 in [0, 1] ([1, 3, R, R]); no mean/std normalization sits in front
of the network (verdict's quantized input is the raw uint8 pixel with scale 1/255).
BatchNormalization statistics are randomized too (seeded), so that folding them into
the convolutions is not the identity. By default PyTorch's exporter folds BN into the
convolutions itself (eval mode); --keep-batchnorm exports the BatchNormalization nodes
so that verdict's importer does the folding.
"""
import argparse
import json
import os

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=float, default=0.35, help="width multiplier (0.35, 0.5, 0.75, 1.0, ...)")
    ap.add_argument("--resolution", type=int, default=96, help="input height and width")
    ap.add_argument("--num-classes", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-batchnorm", action="store_true", help="export BatchNormalization nodes (unfolded)")
    ap.add_argument("--out", help="output .onnx path")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    model = torchvision.models.mobilenet_v2(width_mult=args.width, num_classes=args.num_classes)
    gen = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(0.5 + torch.rand(n, generator=gen))
                m.bias.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(n, generator=gen))
    model.eval()
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                   f"mobilenet_v2_{args.width}_{args.resolution}.onnx")
    # A seeded random uint8 image; the network sees pixel/255.
    pixels = torch.randint(0, 256, (1, 3, args.resolution, args.resolution), generator=gen, dtype=torch.uint8)
    x = pixels.to(torch.float32) / 255.0
    training = torch.onnx.TrainingMode.PRESERVE if args.keep_batchnorm else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, x, out, opset_version=13, input_names=["pixels"], output_names=["logits"],
                      do_constant_folding=not args.keep_batchnorm, training=training)
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        y = model(x)[0]
    # The sample for cross-checking verdict's float interpreter: the image (raw uint8,
    # channel-major) and PyTorch's logits for it.
    sample = os.path.splitext(out)[0] + ".sample.json"
    with open(sample, "w") as f:
        json.dump({"model": os.path.basename(out), "width": args.width, "resolution": args.resolution,
                   "num_classes": args.num_classes, "seed": args.seed, "parameters": params,
                   "pixels_hex": bytes(pixels.flatten().tolist()).hex(), "logits": [float(v) for v in y]}, f)
    print(f"wrote {out} and {sample}: MobileNet v2 width {args.width}, {args.resolution}x{args.resolution}, "
          f"{args.num_classes} classes, {params} parameters")


if __name__ == "__main__":
    main()
