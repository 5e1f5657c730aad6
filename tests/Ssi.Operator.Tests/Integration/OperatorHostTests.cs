using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ssi.Operator.Hosting;

namespace Ssi.Operator.Tests.Integration;

public sealed class OperatorHostTests
{
    [Fact]
    public async Task The_operator_watches_no_configuration_file_and_its_content_root_is_its_own_directory()
    {
        await using var app = OperatorHost.Build(["--Operator:HttpUrl=http://127.0.0.1:0"]);

        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json and appsettings.{environment}.json, optional
        Assert.DoesNotContain(files, p => p.Source.ReloadOnChange);
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
            Path.TrimEndingDirectorySeparator(app.Services.GetRequiredService<IHostEnvironment>().ContentRootPath));
    }
}
