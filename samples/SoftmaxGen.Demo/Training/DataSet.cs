using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace SoftmaxGen.Demo.Training;

/// <summary>A labelled data set: <c>Rows x Features</c> row-major features and one class index per row.</summary>
public sealed class DataSet
{
    public DataSet(float[] features, int[] labels, int featureCount, int classes)
    {
        if (features.Length != labels.Length * featureCount)
        {
            throw new ArgumentException($"features.Length ({features.Length}) is not labels.Length ({labels.Length}) x featureCount ({featureCount}).", nameof(features));
        }

        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
        Classes = classes;
    }

    public float[] Features { get; }

    public int[] Labels { get; }

    public int FeatureCount { get; }

    public int Classes { get; }

    public int Rows => Labels.Length;

    /// <summary>Fisher's Iris from <c>iris.csv</c>: a header line (rows, features, class names), then 4 measurements and the class per line.</summary>
    public static DataSet LoadIris(string path) => Parse(File.ReadLines(path).Skip(1), featureCount: 4, classes: 3);

    /// <summary>The UCI digits from <c>digits.csv.gz</c>: 64 pixel values (0..16) then the digit per line, no header.</summary>
    public static DataSet LoadDigits(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return Parse(lines, featureCount: 64, classes: 10);
    }

    private static DataSet Parse(IEnumerable<string> lines, int featureCount, int classes)
    {
        var features = new List<float>();
        var labels = new List<int>();
        foreach (string line in lines.Where(l => l.Length > 0))
        {
            string[] fields = line.Split(',');
            if (fields.Length != featureCount + 1)
            {
                throw new InvalidDataException($"expected {featureCount + 1} fields, found {fields.Length}: {line}");
            }

            for (int j = 0; j < featureCount; j++)
            {
                features.Add(float.Parse(fields[j], CultureInfo.InvariantCulture));
            }

            labels.Add(int.Parse(fields[featureCount], CultureInfo.InvariantCulture));
        }

        return new DataSet(features.ToArray(), labels.ToArray(), featureCount, classes);
    }

    /// <summary>A random split (fixed by <paramref name="seed"/>): the first part holds <c>1 - heldOutFraction</c> of the rows.</summary>
    public (DataSet Training, DataSet HeldOut) Split(double heldOutFraction, int seed)
    {
        int[] order = Enumerable.Range(0, Rows).ToArray();
        new Random(seed).Shuffle(order);
        int heldOut = (int)Math.Round(Rows * heldOutFraction);
        return (Subset(order[heldOut..]), Subset(order[..heldOut]));
    }

    private DataSet Subset(int[] rows)
    {
        var features = new float[rows.Length * FeatureCount];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Features.AsSpan(rows[i] * FeatureCount, FeatureCount).CopyTo(features.AsSpan(i * FeatureCount));
            labels[i] = Labels[rows[i]];
        }

        return new DataSet(features, labels, FeatureCount, Classes);
    }

    /// <summary>The mean and standard deviation of each feature (a constant feature gets deviation 1).</summary>
    public (float[] Mean, float[] Deviation) FeatureStatistics()
    {
        var mean = new float[FeatureCount];
        var deviation = new float[FeatureCount];
        for (int j = 0; j < FeatureCount; j++)
        {
            double sum = 0, squares = 0;
            for (int r = 0; r < Rows; r++)
            {
                double v = Features[(r * FeatureCount) + j];
                sum += v;
                squares += v * v;
            }

            double m = sum / Rows;
            double sd = Math.Sqrt(Math.Max((squares / Rows) - (m * m), 0));
            mean[j] = (float)m;
            deviation[j] = sd > 1e-6 ? (float)sd : 1f;
        }

        return (mean, deviation);
    }

    /// <summary>A copy with each feature standardised by the given statistics (those of the training part, for held-out data).</summary>
    public DataSet Standardized(float[] mean, float[] deviation)
    {
        var features = new float[Features.Length];
        for (int r = 0; r < Rows; r++)
        {
            for (int j = 0; j < FeatureCount; j++)
            {
                int at = (r * FeatureCount) + j;
                features[at] = (Features[at] - mean[j]) / deviation[j];
            }
        }

        return new DataSet(features, Labels, FeatureCount, Classes);
    }
}
