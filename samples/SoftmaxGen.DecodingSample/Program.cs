using System;
using System.Diagnostics;
using SoftmaxGen;
using SoftmaxGen.DecodingSample;

// A tiny decoding loop on a language-model-shaped row (151,936 Zipf-distributed logits): tokens per second for
// each sampler, one thread. The model step is a copy of the row plus 64 changed logits, so the sampler dominates.
const int Tokens = 200;
var model = new ToyLanguageModel();
(string Name, SamplingOptions Options)[] samplers =
[
    ("greedy (temperature 0)", new SamplingOptions { Temperature = 0 }),
    ("temperature 0.8", new SamplingOptions { Temperature = 0.8f }),
    ("top-k 50", new SamplingOptions { TopK = 50 }),
    ("top-p 0.9", new SamplingOptions { TopP = 0.9f }),
    ("min-p 0.05", new SamplingOptions { MinP = 0.05f }),
    ("HF-style: T 0.7, top-k 50, top-p 0.95, repetition 1.1", new SamplingOptions { Temperature = 0.7f, TopK = 50, TopP = 0.95f, RepetitionPenalty = 1.1f }),
];

Console.WriteLine($"Vocabulary {model.Vocabulary:N0}, {Tokens} tokens per sampler, seed 1.");
foreach ((string name, SamplingOptions options) in samplers)
{
    Decoder.Generate(model, options, start: 0, count: 20, seed: 1); // warm up (tiered JIT, the pool)
    var watch = Stopwatch.StartNew();
    int[] tokens = Decoder.Generate(model, options, start: 0, count: Tokens, seed: 1);
    watch.Stop();
    Console.WriteLine($"{name,-55} {Tokens / watch.Elapsed.TotalSeconds,8:N0} tokens/s   first tokens: {string.Join(' ', tokens[..6])}");
}

// The hand-written alternative for top-p: softmax, full sort, cumulative sum.
{
    float[] logits = new float[model.Vocabulary], probabilities = new float[model.Vocabulary];
    int[] order = new int[model.Vocabulary];
    var random = new Random(1);
    int token = 0;
    var watch = Stopwatch.StartNew();
    for (int t = 0; t < Tokens; t++)
    {
        model.NextLogits(token, logits);
        token = Decoder.SortedTopP(logits, 0.9f, random.NextDouble(), probabilities, order);
    }

    watch.Stop();
    Console.WriteLine($"{"top-p 0.9 by softmax + full sort + cumulative sum",-55} {Tokens / watch.Elapsed.TotalSeconds,8:N0} tokens/s");
}
