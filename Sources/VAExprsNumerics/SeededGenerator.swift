import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// One generator is passed explicitly to everything that draws: the same seed gives the
/// same bits on every run and machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Double?

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix()
        s1 = splitmix()
        s2 = splitmix()
        s3 = splitmix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Marsaglia's polar method, both values used).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * nextUniform() - 1, v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spareNormal = v * f
                return u * f
            }
        }
    }

    /// Runs `body` on the four xoshiro256** words (a C loop drawing from this stream advances
    /// them), then goes on from the words it leaves.
    package mutating func withStateWords<R>(_ body: (UnsafeMutablePointer<UInt64>) throws -> R) rethrows -> R {
        var words = (s0, s1, s2, s3)
        defer { (s0, s1, s2, s3) = words }
        return try withUnsafeMutablePointer(to: &words) {
            try $0.withMemoryRebound(to: UInt64.self, capacity: 4, body)
        }
    }

    /// A new generator derived from this one's stream, for an independent sub-task.
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }

    /// `keep` of the indices `0..<count` drawn uniformly without replacement (a partial
    /// Fisher–Yates shuffle), in increasing order; all of them when `keep ≥ count`.
    package mutating func choose(_ keep: Int, of count: Int) -> [Int] {
        guard keep < count else { return Array(0..<count) }
        var order = Array(0..<count)
        for i in 0..<keep { order.swapAt(i, Int.random(in: i..<count, using: &self)) }
        return order[..<keep].sorted()
    }
}
