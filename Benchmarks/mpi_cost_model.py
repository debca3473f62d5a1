#!/usr/bin/env python3
"""Cost model of a data-parallel fit over MPI: all-reduce bytes per step against compute per
step, and where adding nodes stops paying. Prints the README's table.

    mpi_cost_model.py [--genes 20000] [--hidden 512] [--latent 10] [--global-batch 1024]
                      [--node-gflops 500] [--latency-us 5]

Per step every process computes forward + backward on its share of the global batch (about
6 FLOP per parameter per cell, dense) and then sums one gradient buffer of 4 × P bytes with a
ring all-reduce: each process sends and receives 2 (N−1)/N × 4P bytes in 2 (N−1) messages.
Without overlap a step takes compute(B/N) + allreduce(N); the speed-up over one node is
N · compute(B/N) / (compute(B/N) + allreduce(N)) with compute(B/N) = compute(B)/N, so it stops
growing near N* = compute(B) / allreduce(∞) — beyond it the all-reduce dominates.
"""
import argparse


def parameters(genes, hidden, latent, zinb=False):
    encoder = genes * hidden + hidden
    heads = 2 * (hidden * latent + latent)
    decoder = latent * hidden + hidden
    output = hidden * genes * (2 if zinb else 1) + genes * (2 if zinb else 1)
    dispersion = genes
    return encoder + heads + decoder + output + dispersion


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--genes", type=int, default=20000)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--latent", type=int, default=10)
    ap.add_argument("--global-batch", type=int, default=1024)
    ap.add_argument("--node-gflops", type=float, default=500.0, help="sustained FLOP rate of one node's processes together")
    ap.add_argument("--latency-us", type=float, default=5.0)
    a = ap.parse_args()
    p = parameters(a.genes, a.hidden, a.latent)
    buffer = 4 * p
    compute_all = 6 * p * a.global_batch / (a.node_gflops * 1e9)
    print(f"{a.genes} genes × {a.hidden} hidden, latent {a.latent}, nb: {p / 1e6:.1f} M parameters, "
          f"all-reduce buffer {buffer / 1e6:.0f} MB per step")
    print(f"global batch {a.global_batch}: {6 * p * a.global_batch / 1e9:.0f} GFLOP per step, "
          f"{compute_all * 1e3:.0f} ms on one node at {a.node_gflops:.0f} GFLOP/s")
    print()
    nodes = [1, 2, 8, 16, 32, 64]
    print("| link | all-reduce per step (N → ∞) | " + " | ".join(f"speed-up, {n} nodes" for n in nodes[1:]) + " | stops scaling near |")
    print("|---|---|" + "---|" * (len(nodes) - 1) + "---|")
    for gbits in (10, 25, 100, 200):
        bandwidth = gbits / 8 * 1e9
        def allreduce(n):
            return 0 if n == 1 else 2 * (n - 1) / n * buffer / bandwidth + 2 * (n - 1) * a.latency_us * 1e-6
        def speedup(n):
            c = compute_all / n
            return compute_all / (c + allreduce(n))
        limit = compute_all / (2 * buffer / bandwidth)
        print(f"| {gbits} Gb/s | {2 * buffer / bandwidth * 1e3:.0f} ms | "
              + " | ".join(f"{speedup(n):.1f}×" for n in nodes[1:]) + f" | {limit:.0f} nodes |")


if __name__ == "__main__":
    main()
