/// An sRGB colour.
public struct Colour: Codable, Sendable, Equatable, Hashable {
    /// Channels, 0…255.
    public var red: UInt8
    /// The green channel.
    public var green: UInt8
    /// The blue channel.
    public var blue: UInt8

    /// A colour from its channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses `#rrggbb` (or `rrggbb`); nil when malformed.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + String([red >> 4, red & 15, green >> 4, green & 15, blue >> 4, blue & 15].map { digits[Int($0)] })
    }

    /// Channels as 0…1.
    public var unit: (Double, Double, Double) { (Double(red) / 255, Double(green) / 255, Double(blue) / 255) }

    /// #000000.
    public static let black = Colour(red: 0, green: 0, blue: 0)
    /// #ffffff.
    public static let white = Colour(red: 255, green: 255, blue: 255)
    /// #777777.
    package static let grey = Colour(red: 0x77, green: 0x77, blue: 0x77)
    /// #dddddd.
    package static let lightGrey = Colour(red: 0xdd, green: 0xdd, blue: 0xdd)

    /// The Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision
    /// deficiencies: blue, vermillion, bluish green, orange, reddish purple, sky blue, yellow, black.
    package static let okabeIto: [Colour] = [
        "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"
    ]
    .map { Colour(hex: $0)! }

    /// The `i`-th categorical colour (Okabe–Ito, repeating).
    package static func categorical(_ i: Int) -> Colour { okabeIto[i % okabeIto.count] }
}
