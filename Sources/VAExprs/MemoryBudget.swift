import Foundation

/// How much memory `fit` may plan to use, and what training in memory would need: above the
/// budget, a count matrix that can be read a block of cells at a time is streamed from disk.
package enum MemoryBudget {
    /// The default budget: half of this machine's memory, or of the control group's limit
    /// (a container's or a Slurm job's) when that is lower.
    package static var defaultLimit: Int {
        var total = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
            let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0
        {
            total = min(total, limit)
        }
        return total / 2
    }

    /// Peak bytes of training `file` in memory with a count likelihood: about 20 bytes per
    /// stored count (the counts and the encoder input as CSR, and the reader's arrays while
    /// they are built; 1.74 GB measured for 87.6 million) and a few hundred per cell (ids,
    /// per-cell numbers).
    package static func inMemoryEstimate(_ file: SparseRowFile) -> Int {
        file.storedCount * 20 + file.rowCount * 256
    }

    /// Parses a size: bytes, or a number with K, M, G or T (powers of 1 024; `8G`, `1.5T`, `500MB`).
    package static func parse(_ text: String, parameter: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = trimmed
        if digits.hasSuffix("B") || digits.hasSuffix("IB") {
            digits = String(digits.dropLast(digits.hasSuffix("IB") ? 2 : 1))
        }
        var factor = 1.0
        if let unit = digits.last, let power = ["K": 1.0, "M": 2, "G": 3, "T": 4][String(unit)] {
            factor = pow(1024, power)
            digits.removeLast()
        }
        guard let number = Double(digits), number.isFinite, number > 0, number * factor < Double(Int.max / 2) else {
            throw VAExprsError.usage(
                "\(parameter: parameter) must be a size such as 8G, 500M or a number of bytes, got '\(text)'")
        }
        return Int(number * factor)
    }

    /// A size for people: `12.3 GB` (powers of 1 024).
    package static func describe(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= Double(1 << 30) { return String(format: "%.1f GB", value / Double(1 << 30)) }
        if value >= Double(1 << 20) { return String(format: "%.0f MB", value / Double(1 << 20)) }
        return String(format: "%.0f KB", (value / 1024).rounded(.up))
    }
}
