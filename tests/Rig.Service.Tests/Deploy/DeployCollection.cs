namespace Rig.Service.Tests.Deploy;

/// <summary>The deploy tests start brokers, publish builds and run scripts: one at a time, not beside each other.</summary>
[CollectionDefinition("Deploy", DisableParallelization = true)]
public sealed class DeployCollection;
