/// The one rule for holding out validation cells by fraction, in memory and streamed alike:
/// round(n × fraction) cells, chosen by a seeded shuffle of all rows, at least one on each side.
enum ValidationSplit {
    /// Whether each of `n` rows trains (true) or validates (false); every row trains for a
    /// fraction of 0 or nil.
    /// - Throws: `VAExprsError.usage` naming `validationSplit`.
    static func trainingRows(_ n: Int, fraction: Double?, rng: inout SeededGenerator) throws -> [Bool] {
        var isTraining = [Bool](repeating: true, count: n)
        guard let fraction, fraction != 0 else { return isTraining }
        guard fraction > 0 && fraction < 1 else {
            throw VAExprsError.usage("\(parameter: "validationSplit") must be in [0, 1), got \(fraction)")
        }
        let held = Int((Double(n) * fraction).rounded())
        guard held >= 1 && held < n else {
            throw VAExprsError.usage(
                """
                \(parameter: "validationSplit") \(fraction) leaves \(held) of \(n) cells for validation; choose a \
                fraction that keeps at least one cell on each side
                """
            )
        }
        var order = Array(0..<n)
        order.shuffle(using: &rng)
        for r in order.prefix(held) { isTraining[r] = false }
        return isTraining
    }
}
