using Xunit.Abstractions;
using Xunit.Sdk;

namespace GoCoffee.EndToEnd.Tests.Platform;

/// <summary>Marks a test that disturbs shared infrastructure: it runs after every other test of its class.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunsLastAttribute : Attribute;

/// <summary>Runs the tests of a class in name order, those marked <see cref="RunsLastAttribute"/> after all others.</summary>
public sealed class RunsLastOrderer : ITestCaseOrderer
{
    public const string TypeName = "GoCoffee.EndToEnd.Tests.Platform.RunsLastOrderer";

    public const string AssemblyName = "GoCoffee.EndToEnd.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases
            .OrderBy(testCase => testCase.TestMethod.Method.GetCustomAttributes(typeof(RunsLastAttribute).AssemblyQualifiedName).Any() ? 1 : 0)
            .ThenBy(testCase => testCase.TestMethod.Method.Name, StringComparer.Ordinal);
}
