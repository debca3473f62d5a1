import VAExprsPlatform

/// The precision of the matrix products' inputs in training: float32 throughout, or bfloat16
/// inputs with float32 sums (mixed precision: weights, gradients, optimizer state and every
/// element-wise step stay float32; only the operands of the dense layers' products are rounded
/// to 8 significant bits, as `vaexprs_bf16_gemm` packs them).
public enum ProductPrecision: String, Sendable, CaseIterable, Codable {
    /// IEEE single precision (OpenBLAS `sgemm`).
    case float32
    /// bfloat16 inputs, float32 accumulation (AVX512_BF16's `VDPBF16PS`; CPUs that have it only).
    case bf16

    /// Whether this processor can run products in this precision.
    package var isSupported: Bool {
        switch self {
        case .float32: true
        case .bf16: Self.bf16Available
        }
    }

    /// AVX512_BF16 (with the AVX-512 registers the kernel uses) present and enabled.
    private static let bf16Available: Bool = {
        let cpu = CPUFeatures.detect()
        return ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"].allSatisfy(cpu.has)
    }()
}
