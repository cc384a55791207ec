/// A single-precision complex number, laid out as two `Float`s (real, imaginary).
///
/// The layout is identical to C99 `float complex`, FFTW's `fftwf_complex`, BLAS `c`-types and
/// HDF5/h5py's `{r, i}` compound, so arrays of it can be handed to those libraries unchanged.
@frozen
public struct ComplexFloat: Sendable, Hashable, CustomStringConvertible {
    /// Real part.
    public var re: Float
    /// Imaginary part.
    public var im: Float

    /// Creates `re + i·im`.
    @inlinable public init(_ re: Float, _ im: Float = 0) {
        self.re = re
        self.im = im
    }

    /// Zero.
    public static let zero = ComplexFloat(0, 0)

    /// |z|² = re² + im².
    @inlinable public var magnitudeSquared: Float { re * re + im * im }
    /// |z|.
    @inlinable public var magnitude: Float { (re * re + im * im).squareRoot() }
    /// Complex conjugate.
    @inlinable public var conjugate: ComplexFloat { ComplexFloat(re, -im) }
    /// Argument in (−π, π].
    @inlinable public var phase: Float { Float.atan2Approx(im, re) }

    /// e^{iθ}.
    @inlinable public static func unit(phase theta: Float) -> ComplexFloat {
        ComplexFloat(Float(cos(Double(theta))), Float(sin(Double(theta))))
    }

    public var description: String { "\(re)\(im < 0 ? "-" : "+")\(abs(im))i" }

    @inlinable public static func + (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat {
        ComplexFloat(a.re + b.re, a.im + b.im)
    }
    @inlinable public static func - (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat {
        ComplexFloat(a.re - b.re, a.im - b.im)
    }
    @inlinable public static func * (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat {
        ComplexFloat(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable public static func * (a: ComplexFloat, s: Float) -> ComplexFloat {
        ComplexFloat(a.re * s, a.im * s)
    }
    @inlinable public static func * (s: Float, a: ComplexFloat) -> ComplexFloat {
        ComplexFloat(a.re * s, a.im * s)
    }
    @inlinable public static func / (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat {
        let d = b.re * b.re + b.im * b.im
        return ComplexFloat((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }
    @inlinable public static func += (a: inout ComplexFloat, b: ComplexFloat) { a = a + b }
    @inlinable public static func -= (a: inout ComplexFloat, b: ComplexFloat) { a = a - b }
    @inlinable public static prefix func - (a: ComplexFloat) -> ComplexFloat { ComplexFloat(-a.re, -a.im) }
}

import Foundation

extension Float {
    @usableFromInline static func atan2Approx(_ y: Float, _ x: Float) -> Float {
        Float(Foundation.atan2(Double(y), Double(x)))
    }
}
