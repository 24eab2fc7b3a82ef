using Bunit;
using MudBlazor.Services;

namespace FinTech.Portal.Tests;

/// <summary>The one place bUnit tests get the portal's UI services (MudBlazor) registered.</summary>
internal static class PortalBunit
{
    public static BunitContext Create()
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        return context;
    }

    /// <summary>
    /// Answers the JavaScript calls MudBlazor's inputs, switches and selects (popovers) make (strict interop: any
    /// other call fails the test, so a page that starts calling JavaScript is noticed).
    /// </summary>
    public static void SetupMudInputs(this BunitJSInterop interop)
    {
        interop.SetupVoid("mudElementRef.addOnBlurEvent", _ => true).SetVoidResult();
        interop.SetupVoid("mudElementRef.removeOnBlurEvent", _ => true).SetVoidResult();
        interop.SetupVoid("mudKeyInterceptor.connect", _ => true).SetVoidResult();
        interop.SetupVoid("mudKeyInterceptor.disconnect", _ => true).SetVoidResult();
        // Pages with a MudSelect bring their own MudPopoverProvider, which first counts the providers on the page.
        interop.Setup<int>("mudpopoverHelper.countProviders", _ => true).SetResult(1);
        interop.SetupVoid("mudPopover.initialize", _ => true).SetVoidResult();
        interop.SetupVoid("mudPopover.connect", _ => true).SetVoidResult();
        interop.SetupVoid("mudPopover.disconnect", _ => true).SetVoidResult();
        interop.SetupVoid("mudPopover.dispose", _ => true).SetVoidResult();
    }
}
