using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace SoftmaxGen.OnnxSample;

/// <summary>
/// Labelled 8x8 digit images: <c>Count x 64</c> row-major pixel counts (0..16), as the model takes them, one label
/// per image, and each image's row number in <c>digits.csv.gz</c>.
/// </summary>
public sealed record DigitImages(float[] Pixels, int[] Labels, int[] Rows)
{
    /// <summary>Pixels per image: 8 x 8.</summary>
    public const int PixelsPerImage = 64;

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// The images the model never saw in training: rows 0, 5, 10, ... of the UCI digits (<c>digits.csv.gz</c>: 64
    /// pixel counts and the digit per line), the split <c>model/make_model.py</c> trains and evaluates with.
    /// </summary>
    public static DigitImages LoadHeldOut(string path, int every = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var pixels = new List<float>();
        var labels = new List<int>();
        var rows = new List<int>();
        int row = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine(), row++)
        {
            if (row % every != 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != PixelsPerImage + 1)
            {
                throw new InvalidDataException($"{path}, row {row}: expected {PixelsPerImage + 1} fields, found {fields.Length}.");
            }

            for (int j = 0; j < PixelsPerImage; j++)
            {
                pixels.Add(float.Parse(fields[j], CultureInfo.InvariantCulture));
            }

            labels.Add(int.Parse(fields[PixelsPerImage], CultureInfo.InvariantCulture));
            rows.Add(row);
        }

        return new DigitImages(pixels.ToArray(), labels.ToArray(), rows.ToArray());
    }

    /// <summary>Image <paramref name="image"/> as 8 lines of text, darker characters for higher counts.</summary>
    public string[] Draw(int image)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(image);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(image, Count);
        const string shades = " .:-=+*#%@";
        var lines = new string[8];
        var line = new StringBuilder(16);
        for (int y = 0; y < 8; y++)
        {
            line.Clear();
            for (int x = 0; x < 8; x++)
            {
                float count = Pixels[(image * PixelsPerImage) + (y * 8) + x];
                char shade = shades[(int)Math.Round(Math.Clamp(count / 16, 0, 1) * (shades.Length - 1))];
                line.Append(shade).Append(shade);   // two characters per pixel: text cells are about twice as tall as wide
            }

            lines[y] = line.ToString();
        }

        return lines;
    }
}
