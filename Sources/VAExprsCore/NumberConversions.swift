/// Conversions of numbers that came from outside (options, files, plotted data) that never
/// trap: the one place a `Double` becomes an integer or a JSON value.
package enum NumberConversions {
    /// `value` rounded toward zero and held to `Int`'s range; NaN becomes 0.
    package static func saturatingInt(_ value: Double) -> Int {
        if value.isNaN { return 0 }
        if value >= 9.223_372_036_854_775e18 { return .max }
        if value <= -9.223_372_036_854_775e18 { return .min }
        return Int(value)
    }

    /// `value` for `JSONSerialization`: itself when finite, else the string "nan", "inf" or
    /// "-inf" (as model files and reports write them), which JSON can hold and readers parse.
    package static func jsonValue(_ value: Double) -> Any {
        if value.isFinite { return value }
        return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
    }
}

/// The range of a count: a whole number from 0 to the largest 32-bit integer, what `.h5ad` and
/// Cell Ranger files store and far above any sequencing experiment's count of one gene in one
/// cell. Training counts above it are refused, so that generated counts stay writable.
package enum CountRange {
    /// The largest count, 2³¹ − 1.
    package static let largest = Double(Int32.max)

    /// Whether `value` is a count: a whole number from 0 to `largest` (a format's own limit).
    package static func contains(_ value: Float, largest: Double = largest) -> Bool {
        value >= 0 && value == value.rounded() && Double(value) <= largest
    }
}
